package dev.kvmfleetsim.controller.rest;

import dev.kvmfleetsim.contract.Problem;
import dev.kvmfleetsim.controller.sweep.SweepService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriBuilder;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Sweeps: a grid over a base scenario, run on the host-sims, with progress. */
@Path("/api/sweeps")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "sweeps", description = "Parameter sweeps over scenarios")
public class SweepResource {
    private static final String EXAMPLE = """
            {
              "name": "tracking-vs-window",
              "base_scenario": {"duration_ns": 50000000, "host": {"pcpus": 16}, "vms": {"vcpus": 16},
                                "workload": {"mix": "dedup_like"}},
              "grid": {"ipi_tracking_enabled": [true, false], "ipi_window_ns": [1000000, 50000000],
                       "overcommit": [1, 2, 3, 4]},
              "repetitions": 3,
              "seed": 42,
              "detail": "aggregate"
            }""";

    private final SweepService service;
    private final ProgressStreams progress;

    SweepResource(SweepService service, ProgressStreams progress) {
        this.service = service;
        this.progress = progress;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(
            summary = "Create a sweep",
            description = "Expands the grid (cartesian product of the axes in the order given × repetitions), checks"
                    + " every point with the model, stores the runs and dispatches them. Identical configurations"
                    + " are run once. Every problem of the request is reported at once.")
    @RequestBody(
            required = true,
            content =
                    @Content(
                            mediaType = MediaType.APPLICATION_JSON,
                            schema = @Schema(implementation = SweepRequest.class),
                            examples = @ExampleObject(name = "tracking on/off", value = EXAMPLE)))
    @APIResponse(
            responseCode = "202",
            description = "Accepted: the runs are stored and being dispatched (Location: the sweep)",
            content = @Content(schema = @Schema(implementation = SweepView.class)))
    @APIResponse(
            responseCode = "400",
            description = "Invalid sweep: every problem, each with its field",
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    public Response create(String body) {
        SweepView sweep = service.create(body);
        return Response.accepted(sweep)
                .location(UriBuilder.fromResource(SweepResource.class)
                        .path(sweep.id())
                        .build())
                .build();
    }

    @GET
    @Operation(summary = "List sweeps", description = "Newest first, with progress, without base scenarios")
    @APIResponse(
            responseCode = "200",
            content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = SweepView.class)))
    public List<SweepView> list(
            @Parameter(description = "only sweeps in this state (running, done, failed, cancelled)")
                    @QueryParam("state")
                    String state) {
        return service.list(Optional.ofNullable(state));
    }

    @GET
    @Path("{id}")
    @Operation(summary = "A sweep with its progress")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = SweepView.class)))
    @APIResponse(responseCode = "404", content = @Content(mediaType = Problem.MEDIA_TYPE))
    public SweepView get(@PathParam("id") String id) {
        return service.get(id);
    }

    @GET
    @Path("{id}/runs")
    @Operation(summary = "Runs of a sweep", description = "In dispatch order: repetition, then grid point")
    @APIResponse(
            responseCode = "200",
            content = @Content(schema = @Schema(type = SchemaType.ARRAY, implementation = RunView.class)))
    @APIResponse(responseCode = "404", content = @Content(mediaType = Problem.MEDIA_TYPE))
    public List<RunView> runs(
            @PathParam("id") String id,
            @Parameter(description = "only runs in this state (pending, dispatched, done, failed, cancelled)")
                    @QueryParam("state")
                    String state,
            @QueryParam("offset") @DefaultValue("0") int offset,
            @QueryParam("limit") @DefaultValue("1000") int limit) {
        if (offset < 0 || limit < 1 || limit > 10_000) {
            throw ProblemException.invalidParameter(
                    "offset/limit", "offset must be >= 0 and limit in 1..10000, were " + offset + "/" + limit);
        }
        return service.runs(id, Optional.ofNullable(state), offset, limit);
    }

    @POST
    @Path("{id}/cancel")
    @Operation(summary = "Cancel a running sweep", description = "Pending runs are cancelled; runs in flight finish")
    @APIResponse(responseCode = "200", content = @Content(schema = @Schema(implementation = SweepView.class)))
    @APIResponse(responseCode = "404", content = @Content(mediaType = Problem.MEDIA_TYPE))
    @APIResponse(
            responseCode = "409",
            description = "The sweep has finished already",
            content = @Content(mediaType = Problem.MEDIA_TYPE))
    public SweepView cancel(@PathParam("id") String id) {
        return service.cancel(id);
    }

    @GET
    @Path("{id}/progress")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Blocking
    @Operation(
            summary = "Progress as server-sent events",
            description = "A 'progress' event (JSON: sweep_id, state, progress) at once and whenever runs change;"
                    + " after the sweep has finished, a 'completed' event with the final counts, then the stream"
                    + " ends.")
    @APIResponse(
            responseCode = "200",
            content =
                    @Content(
                            mediaType = MediaType.SERVER_SENT_EVENTS,
                            schema = @Schema(implementation = ProgressEvent.class)))
    @APIResponse(responseCode = "404", content = @Content(mediaType = Problem.MEDIA_TYPE))
    public Multi<OutboundSseEvent> progress(@PathParam("id") String id, @Context Sse sse) {
        service.progress(id); // 404 before the stream starts
        return progress.stream(id).onItem().transformToIterable(p -> {
            OutboundSseEvent event = event(sse, "progress", p);
            return p.finished() ? List.of(event, event(sse, "completed", p)) : List.of(event);
        });
    }

    private static OutboundSseEvent event(Sse sse, String name, ProgressEvent data) {
        return sse.newEventBuilder()
                .name(name)
                .mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(ProgressEvent.class, data)
                .build();
    }
}
