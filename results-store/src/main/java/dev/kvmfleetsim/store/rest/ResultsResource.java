package dev.kvmfleetsim.store.rest;

import dev.kvmfleetsim.store.service.QueryService;
import dev.kvmfleetsim.store.service.RunDetail;
import dev.kvmfleetsim.store.service.SeriesGain;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The stored results over HTTP: a sweep's answer, one run in full, and a sweep's runs as CSV. */
@Path("/api")
public class ResultsResource {
    /** RFC 4180's media type, with its charset. */
    public static final String TEXT_CSV = "text/csv; charset=utf-8";

    private final QueryService queries;

    ResultsResource(QueryService queries) {
        this.queries = queries;
    }

    /** The rows of {@code v_series_gain} for the sweep: the whole series on versus off with 95 % intervals. */
    @GET
    @Path("/sweeps/{sweepId}/summary")
    @Produces(MediaType.APPLICATION_JSON)
    public List<SeriesGain> summary(@PathParam("sweepId") String sweepId) {
        requireSweep(sweepId);
        return queries.seriesGain(sweepId);
    }

    /** One run with its exits, counters, latencies and workload metrics. */
    @GET
    @Path("/runs/{runId}")
    @Produces(MediaType.APPLICATION_JSON)
    public RunDetail run(@PathParam("runId") String runId) {
        return queries.run(runId).orElseThrow(() -> new NotFoundException("No result is stored for run " + runId));
    }

    /** The sweep's runs, one CSV row each with the typed parameters and main metrics, after a header row. */
    @GET
    @Path("/sweeps/{sweepId}/runs.csv")
    @Produces(TEXT_CSV)
    public Response runsCsv(@PathParam("sweepId") String sweepId) {
        requireSweep(sweepId);
        StreamingOutput body = out ->
                queries.writeRunsCsv(sweepId, new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8)));
        return Response.ok(body, TEXT_CSV)
                .header(
                        "Content-Disposition",
                        "attachment; filename=\"" + sweepId.replaceAll("[^A-Za-z0-9._-]", "_") + "-runs.csv\"")
                .build();
    }

    private void requireSweep(String sweepId) {
        if (!queries.sweepExists(sweepId)) {
            throw new NotFoundException("No run of sweep " + sweepId + " is stored");
        }
    }
}
