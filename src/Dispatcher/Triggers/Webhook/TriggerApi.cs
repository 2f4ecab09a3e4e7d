using Arkonis.Hosting;
using Arkonis.Dispatcher.Triggers.Concurrency;
using System.Globalization;
using System.Text.Json.Nodes;
using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Workflows;
using Arkonis.Model.Resources;
using Arkonis.Model.Runs;
using Arkonis.Model.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Triggers.Webhook;

/// <summary>What the trigger endpoints need, injected as one parameter.</summary>
public sealed record TriggerServices(
    ArkEventCatalog Catalog,
    WebhookTokens Tokens,
    IRunLauncher Launcher,
    RunReader Runs,
    ConcurrencyGate Concurrency,
    ITriggerActivity Activity,
    IOptions<TriggerApiOptions> Options,
    TimeProvider Time,
    DispatcherMetrics Metrics,
    ILogger<TriggerServices> Logger);

/// <summary>
/// The public trigger API (DESIGN §4): <c>POST /triggers/{namespace}/{name}/fire</c> and
/// <c>GET /triggers/{namespace}/{name}/runs/{runId}</c>, on the public port only.
/// Order of checks: no token in the query; the bearer token (an unknown trigger answers exactly like a wrong token,
/// so existence is never revealed without a valid token); then 404; then the trigger's state (409); then the request.
/// </summary>
public static class TriggerApi
{
    public static IServiceCollection AddTriggerApi(this IServiceCollection services)
    {
        services.AddValidatedOptions<TriggerApiOptions, TriggerApiOptionsValidator>(TriggerApiOptions.SectionName);
        services.AddSingleton<WebhookTokens>();
        services.AddHostedService<WebhookTokenRefresher>();
        services.AddSingleton<RunReader>();
        services.AddTriggerRateLimiting();
        return services;
    }

    public static IEndpointRouteBuilder MapTriggerApi(this IEndpointRouteBuilder app)
    {
        var triggers = app.MapGroup("/triggers/{namespace}/{name}")
            .RequirePublicPort()
            .RequireRateLimiting(TriggerRateLimiting.PolicyName)
            .WithMetadata(TriggerRateLimiting.PerClient)
            .WithTags("Triggers");
        triggers.MapPost("/fire", FireAsync)
            .WithName("FireTrigger")
            .WithSummary("Fires the trigger: every target flow starts, in parallel.");
        triggers.MapGet("/runs/{runId}", GetRunAsync)
            .WithName("GetRun")
            .WithSummary("A run's state and per-target results.");
        return app;
    }

    public static async Task<Results<Accepted<FireAccepted>, JsonHttpResult<RunView>, ProblemHttpResult>> FireAsync(
        string @namespace,
        string name,
        HttpContext http,
        [AsParameters] TriggerServices services,
        CancellationToken cancellationToken)
    {
        using var scope = services.Logger.BeginEventScope(@namespace, name);
        var (entry, denied) = await AuthenticateAsync(@namespace, name, http, services, cancellationToken);
        if (denied is not null)
        {
            return Reject(http, services, @namespace, name, denied);
        }
        if (TriggerStateProblem(entry!, http) is { } stateProblem)
        {
            return Reject(http, services, @namespace, name, stateProblem);
        }
        var (request, requestProblem) = await ReadFireRequestAsync(http, services.Options.Value, cancellationToken);
        if (requestProblem is not null)
        {
            return Reject(http, services, @namespace, name, requestProblem);
        }

        var arkEvent = entry!.Event;
        var runId = request!.IdempotencyKey is null
            ? RunIds.NewWebhook(@namespace, name)
            : RunIds.ForIdempotencyKey(@namespace, name, request.IdempotencyKey);
        var statusUrl = $"/triggers/{@namespace}/{name}/runs/{Uri.EscapeDataString(runId)}";
        using var runScope = services.Logger.BeginRunScope(runId);
        var fire = new FireRequest(runId, arkEvent, new TriggerContext(SourceTypes.Webhook, services.Time.GetUtcNow(), request.Body));
        var (outcome, launchProblem) = await LaunchAsync(fire, @namespace, name, http, services, cancellationToken);
        if (launchProblem is not null)
        {
            return launchProblem;
        }

        if (request.Mode != "sync")
        {
            services.Metrics.Request("async", StatusCodes.Status202Accepted);
            var targets = (arkEvent.Spec.Targets ?? []).Select(t => t.Pipeline ?? string.Empty).ToArray();
            return TypedResults.Accepted(statusUrl, new FireAccepted(
                runId, $"{@namespace}/{name}", targets, statusUrl, outcome == LaunchOutcome.AlreadyExists));
        }
        return await WaitForRunAsync(fire, request.Timeout, statusUrl, @namespace, name, http, services, cancellationToken);
    }

    /// <summary>What the caller asked for, read from the query, the headers and the body.</summary>
    private sealed record FireRequestParts(string Mode, TimeSpan Timeout, string? IdempotencyKey, JsonObject? Body);

    /// <summary>The trigger's own state, checked once the caller is known to hold its token: 409 when it cannot fire.</summary>
    private static ProblemHttpResult? TriggerStateProblem(CatalogEntry entry, HttpContext http)
    {
        if (!entry.IsValid)
        {
            return TriggerProblems.Problem(http, TriggerProblem.TriggerInvalid, string.Join("; ", entry.Problems));
        }
        if (entry.Event.Spec.Source?.Type != SourceTypes.Webhook)
        {
            return TriggerProblems.Problem(http, TriggerProblem.NotWebhook);
        }
        return entry.Event.Spec.Suspend == true ? TriggerProblems.Problem(http, TriggerProblem.Suspended) : null;
    }

    /// <summary>The request's mode, sync timeout, Idempotency-Key and body, or the 400/413/415 that the first bad one gets.</summary>
    private static async Task<(FireRequestParts? Request, ProblemHttpResult? Problem)> ReadFireRequestAsync(
        HttpContext http, TriggerApiOptions options, CancellationToken cancellationToken)
    {
        var mode = http.Request.Query["mode"].ToString();
        if (mode is not ("" or "async" or "sync"))
        {
            return (null, TriggerProblems.Problem(http, TriggerProblem.BadMode));
        }
        var timeout = options.DefaultSyncTimeout;
        if (http.Request.Query.TryGetValue("timeout", out var timeoutText) &&
            (!RequestTimeout.TryParse(timeoutText.ToString(), out timeout) || timeout > options.MaxSyncTimeout))
        {
            return (null, TriggerProblems.Problem(
                http, TriggerProblem.BadTimeout, string.Create(CultureInfo.InvariantCulture, $"The largest allowed timeout is {options.MaxSyncTimeout.TotalSeconds:0}s.")));
        }

        string? idempotencyKey = null;
        if (http.Request.Headers.TryGetValue("Idempotency-Key", out var keyHeader))
        {
            idempotencyKey = keyHeader.ToString().Trim();
            if (keyHeader.Count != 1 || !IsValidIdempotencyKey(idempotencyKey))
            {
                return (null, TriggerProblems.Problem(http, TriggerProblem.BadIdempotencyKey));
            }
        }

        var (body, bodyProblem) = await FireBody.ReadAsync(http.Request, options.MaxBodyBytes, cancellationToken);
        return bodyProblem is { } problem
            ? (null, TriggerProblems.Problem(http, problem))
            : (new FireRequestParts(mode, timeout, idempotencyKey, body), null);
    }

    /// <summary>Admits the run under the trigger's concurrencyPolicy and starts it; a problem (409, 503) when it cannot.</summary>
    private static async Task<(LaunchOutcome Outcome, ProblemHttpResult? Problem)> LaunchAsync(
        FireRequest fire, string @namespace, string name, HttpContext http, TriggerServices services, CancellationToken cancellationToken)
    {
        var (arkEvent, runId) = (fire.Event, fire.RunId);
        try
        {
            // concurrencyPolicy (shared with cron and flow-output): Forbid answers 409 while a run goes on,
            // Replace ends the running ones first. A repeated Idempotency-Key is never blocked by its own run.
            var verdict = await services.Concurrency.AdmitAsync(arkEvent, runId, [], cancellationToken);
            if (verdict is { Proceed: false, Unknown: true })
            {
                // The earlier runs' states could not be read: the sidecar is the problem, not a run still going.
                return (default, Unavailable(http, services, @namespace, name, new SidecarUnavailableException("GetWorkflowState")));
            }
            if (!verdict.Proceed)
            {
                services.Activity.Skipped(arkEvent, TriggerSkipReasons.Forbid, fire.Trigger.FiredAt);
                return (default, Reject(http, services, @namespace, name, TriggerProblems.Problem(
                    http,
                    TriggerProblem.ConcurrencyForbidden,
                    extensions: new Dictionary<string, object?> { ["activeRuns"] = verdict.Blocking })));
            }
            var outcome = await services.Launcher.LaunchAsync(fire, cancellationToken);
            services.Concurrency.Record(arkEvent, runId);
            return (outcome, null);
        }
        catch (SidecarUnavailableException e)
        {
            return (default, Unavailable(http, services, @namespace, name, e));
        }
    }

    /// <summary><c>mode=sync</c>: waits for the run's end, up to <paramref name="timeout"/> (200, 500, or 504 with the status URL).</summary>
    private static async Task<Results<Accepted<FireAccepted>, JsonHttpResult<RunView>, ProblemHttpResult>> WaitForRunAsync(
        FireRequest fire, TimeSpan timeout, string statusUrl, string @namespace, string name, HttpContext http, TriggerServices services,
        CancellationToken cancellationToken)
    {
        var runId = fire.RunId;
        var waitStarted = services.Time.GetTimestamp();
        RunResult? run;
        try
        {
            run = await services.Runs.WaitAsync(runId, timeout, cancellationToken);
        }
        catch (SidecarUnavailableException e)
        {
            return Unavailable(http, services, @namespace, name, e);
        }
        var waited = services.Time.GetElapsedTime(waitStarted);
        if (run is null)
        {
            services.Metrics.SyncWaited(waited, "timeout");
            return Reject(http, services, @namespace, name, TriggerProblems.Problem(
                http,
                TriggerProblem.SyncTimeout,
                string.Create(CultureInfo.InvariantCulture, $"The run did not finish within {timeout.TotalMilliseconds:0} ms."),
                new Dictionary<string, object?> { ["runId"] = runId, ["statusUrl"] = statusUrl }));
        }
        var status = run.Status == RunStatuses.Succeeded ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError;
        services.Metrics.SyncWaited(waited, run.Status);
        services.Metrics.Request("sync", status);
        return TypedResults.Json(RunView.From(run, statusUrl), statusCode: status);
    }

    public static async Task<Results<Ok<RunView>, ProblemHttpResult>> GetRunAsync(
        string @namespace,
        string name,
        string runId,
        HttpContext http,
        [AsParameters] TriggerServices services,
        CancellationToken cancellationToken)
    {
        using var scope = services.Logger.BeginEventScope(@namespace, name, runId);
        var (_, denied) = await AuthenticateAsync(@namespace, name, http, services, cancellationToken);
        if (denied is not null)
        {
            return Reject(http, services, @namespace, name, denied);
        }
        if (!RunIds.IsValid(runId))
        {
            // Not an id this dispatcher makes: no need to ask the sidecar about it.
            return Reject(http, services, @namespace, name, TriggerProblems.Problem(http, TriggerProblem.RunNotFound));
        }
        RunResult? run;
        try
        {
            run = await services.Runs.GetAsync(@namespace, name, runId, cancellationToken);
        }
        catch (SidecarUnavailableException e)
        {
            return Unavailable(http, services, @namespace, name, e);
        }
        if (run is null)
        {
            return Reject(http, services, @namespace, name, TriggerProblems.Problem(http, TriggerProblem.RunNotFound));
        }
        return TypedResults.Ok(RunView.From(run, $"/triggers/{@namespace}/{name}/runs/{Uri.EscapeDataString(runId)}"));
    }

    /// <summary>
    /// An unknown trigger and a wrong token look the same (401): a name the catalog does not hold is compared against a
    /// dummy (never read from the store). Only a caller holding a valid token of a trigger removed within
    /// <see cref="WebhookTokens.GoneRetention"/> learns "404".
    /// </summary>
    private static async Task<(CatalogEntry? Entry, ProblemHttpResult? Denied)> AuthenticateAsync(
        string @namespace, string name, HttpContext http, TriggerServices services, CancellationToken cancellationToken)
    {
        var query = http.Request.Query;
        if (query.ContainsKey("token") || query.ContainsKey("access_token"))
        {
            return (null, TriggerProblems.Problem(http, TriggerProblem.TokenInQuery));
        }
        // A name Kubernetes could not hold names no trigger: answered like any unknown trigger, before any lookup.
        if (BearerToken(http.Request) is not { } token ||
            !Names.IsDns1123Label(@namespace) || !Names.IsDns1123Subdomain(name))
        {
            return (null, TriggerProblems.Problem(http, TriggerProblem.Unauthorized));
        }
        try
        {
            if (!await services.Tokens.IsValidAsync(@namespace, name, token, cancellationToken))
            {
                return (null, TriggerProblems.Problem(http, TriggerProblem.Unauthorized));
            }
        }
        catch (SidecarUnavailableException e)
        {
            services.Logger.SidecarUnavailable(e.Operation);
            return (null, SidecarProblem(http, services));
        }
        return services.Catalog.Find(@namespace, name) is { } entry
            ? (entry, null)
            : (null, TriggerProblems.Problem(http, TriggerProblem.TriggerNotFound));
    }

    private static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization;
        if (header.Count != 1)
        {
            return null;
        }
        var value = header.ToString();
        const string scheme = "Bearer ";
        if (!value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var token = value[scheme.Length..].Trim();
        return token.Length is > 0 and <= 4096 ? token : null;
    }

    private static bool IsValidIdempotencyKey(string key) =>
        key.Length is > 0 and <= 255 && key.All(c => c is >= ' ' and <= '~');

    private static ProblemHttpResult SidecarProblem(HttpContext http, TriggerServices services) =>
        TriggerProblems.Problem(http, TriggerProblem.SidecarUnavailable, retryAfterSeconds: services.Options.Value.SidecarRetryAfterSeconds);

    private static ProblemHttpResult Unavailable(HttpContext http, TriggerServices services, string @namespace, string name, SidecarUnavailableException e)
    {
        services.Logger.SidecarUnavailable(e.Operation);
        return Reject(http, services, @namespace, name, SidecarProblem(http, services));
    }

    private static ProblemHttpResult Reject(HttpContext http, TriggerServices services, string @namespace, string name, ProblemHttpResult problem)
    {
        services.Metrics.Request(http.Request.Method == HttpMethods.Get ? "read" : "fire", problem.StatusCode);
        services.Logger.TriggerRejected(http.Request.Method, @namespace, name, problem.StatusCode, problem.ProblemDetails.Type ?? string.Empty);
        return problem;
    }
}
