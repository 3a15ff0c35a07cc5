package dev.kvmfleetsim.controller.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.kvmfleetsim.controller.grid.FieldError;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * An RFC 9457 problem ({@code application/problem+json}).
 *
 * @param type what kind of problem (a URI; {@code about:blank} when the status says it all)
 * @param title short summary of the type
 * @param status the HTTP status
 * @param detail this occurrence, in words
 * @param instance the resource concerned, if any
 * @param errors every problem of an invalid request, each with its field
 */
@Schema(name = "Problem", description = "RFC 9457 problem details")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProblemDetail(
        String type, String title, int status, String detail, String instance, List<FieldError> errors) {}
