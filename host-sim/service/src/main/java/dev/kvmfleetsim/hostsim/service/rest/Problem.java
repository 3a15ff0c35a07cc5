package dev.kvmfleetsim.hostsim.service.rest;

import java.util.List;

/**
 * An RFC 9457 problem document with the extension member {@code errors}: one entry per bad field.
 *
 * @param type URI reference identifying the problem type
 * @param title short summary of the problem type
 * @param status HTTP status code
 * @param detail this occurrence, in words
 * @param instance the request path
 * @param errors every field in error
 */
public record Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors) {

    /** Media type of problem documents (RFC 9457 §3). */
    public static final String MEDIA_TYPE = "application/problem+json";

    /**
     * One field in error.
     *
     * @param field the field's path in the scenario file format ({@code kvm.enable_apicv}, {@code ipis[0].vector})
     * @param reason what is wrong with it
     */
    public record FieldError(String field, String reason) {}
}
