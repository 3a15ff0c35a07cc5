package dev.kvmfleetsim.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * An RFC 9457 problem document ({@link #MEDIA_TYPE}), the one error body of every service's REST API, with the
 * extension member {@code errors}: one entry per bad field, so a request with several problems is answered with all
 * of them. Members without a value are left out of the JSON. Each service writes it from its one exception mapper.
 *
 * @param type URI reference identifying the problem type ({@link #ABOUT_BLANK} when the status says it all)
 * @param title short summary of the problem type
 * @param status the HTTP status code
 * @param detail this occurrence, in words
 * @param instance the request path it concerns, if any
 * @param errors every field in error, if the problem is about fields
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, List<FieldError> errors) {

    /** Media type of problem documents (RFC 9457 §3). */
    public static final String MEDIA_TYPE = "application/problem+json";

    /** The type of a problem that has no more meaning than its status code (RFC 9457 §4.2.1). */
    public static final String ABOUT_BLANK = "about:blank";

    public Problem {
        errors = errors == null ? null : List.copyOf(errors);
    }

    /**
     * One field in error.
     *
     * @param field where, as a path in the request's own format ({@code kvm.enable_apicv}, {@code ipis[0].vector},
     *     {@code grid.overcommit[1]}; {@code (body)} or {@code (file)} for the whole body)
     * @param reason what is wrong with it
     */
    public record FieldError(String field, String reason) {}

    /** This problem about the request at {@code path}, unless it names its instance already. */
    public Problem at(String path) {
        return instance != null ? this : new Problem(type, title, status, detail, path, errors);
    }
}
