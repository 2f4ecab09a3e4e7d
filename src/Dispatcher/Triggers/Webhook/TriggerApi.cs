using Arkonis.Dispatcher.Triggers.Concurrency;
using System.Globalization;
using Arkonis.Dispatcher.Reporting;
using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Diagnostics;
using Arkonis.Dispatcher.Hosting;
using Arkonis.Dispatcher.Runs;
using Arkonis.Dispatcher.Workflows;
using Arkonis.Model.Resources;
using Arkonis.Model.Runs;
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
        services.AddSingleton<RunReader>();
        services.AddTriggerRateLimiting();
        return services;
    }

    public static IEndpointRouteBuilder MapTriggerApi(this IEndpointRouteBuilder app)
    {
        var triggers = app.MapGroup("/triggers/{namespace}/{name}")
            .RequirePublicPort()
            .RequireRateLimiting(TriggerRateLimiting.PolicyName)
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
        var options = services.Options.Value;
        var mode = http.Request.Query["mode"].ToString();
        using var scope = services.Logger.BeginScope(new Dictionary<string, object?> { ["Namespace"] = @namespace, ["Name"] = name });
        var (entry, denied) = await AuthenticateAsync(@namespace, name, http, services, cancellationToken);
        if (denied is not null)
        {
            return Reject(http, services, @namespace, name, denied);
        }

        var arkEvent = entry!.Event;
        if (!entry.IsValid)
        {
            return Reject(http, services, @namespace, name, TriggerProblems.Problem(
                http, TriggerProblem.TriggerInvalid, string.Join("; ", entry.Problems)));
        }
        if (arkEvent.Spec.Source?.Type != SourceTypes.Webhook)
        {
            return Reject(http, services, @namespace, name, TriggerProblems.Problem(http, TriggerProblem.NotWebhook));
        }
        if (arkEvent.Spec.Suspend == true)
        {
            return Reject(http, services, @namespace, name, TriggerProblems.Problem(http, TriggerProblem.Suspended));
        }

        if (mode is not ("" or "async" or "sync"))
        {
            return Reject(http, services, @namespace, name, TriggerProblems.Problem(http, TriggerProblem.BadMode));
        }
        var timeout = options.DefaultSyncTimeout;
        if (http.Request.Query.TryGetValue("timeout", out var timeoutText) &&
            (!RequestTimeout.TryParse(timeoutText.ToString(), out timeout) || timeout > options.MaxSyncTimeout))
        {
            return Reject(http, services, @namespace, name, TriggerProblems.Problem(
                http, TriggerProblem.BadTimeout, string.Create(CultureInfo.InvariantCulture, $"The largest allowed timeout is {options.MaxSyncTimeout.TotalSeconds:0}s.")));
        }

        string? idempotencyKey = null;
        if (http.Request.Headers.TryGetValue("Idempotency-Key", out var keyHeader))
        {
            idempotencyKey = keyHeader.ToString().Trim();
            if (keyHeader.Count != 1 || !IsValidIdempotencyKey(idempotencyKey))
            {
                return Reject(http, services, @namespace, name, TriggerProblems.Problem(http, TriggerProblem.BadIdempotencyKey));
            }
        }

        var (body, bodyProblem) = await FireBody.ReadAsync(http.Request, options.MaxBodyBytes, cancellationToken);
        if (bodyProblem is { } problem)
        {
            return Reject(http, services, @namespace, name, TriggerProblems.Problem(http, problem));
        }

        var runId = idempotencyKey is null
            ? RunIds.NewWebhook(@namespace, name)
            : RunIds.ForIdempotencyKey(@namespace, name, idempotencyKey);
        var statusUrl = $"/triggers/{@namespace}/{name}/runs/{Uri.EscapeDataString(runId)}";
        using var runScope = services.Logger.BeginScope(new Dictionary<string, object?> { ["RunId"] = runId });
        var fire = new FireRequest(runId, arkEvent, new TriggerContext(SourceTypes.Webhook, services.Time.GetUtcNow(), body));
        LaunchOutcome outcome;
        try
        {
            // concurrencyPolicy (shared with cron and flow-output): Forbid answers 409 while a run goes on,
            // Replace ends the running ones first. A repeated Idempotency-Key is never blocked by its own run.
            var verdict = await services.Concurrency.AdmitAsync(arkEvent, runId, [], cancellationToken);
            if (verdict is { Proceed: false, Unknown: true })
            {
                // The earlier runs' states could not be read: the sidecar is the problem, not a run still going.
                return Unavailable(http, services, @namespace, name, new SidecarUnavailableException("GetWorkflowState"));
            }
            if (!verdict.Proceed)
            {
                services.Activity.Skipped(arkEvent, TriggerSkipReasons.Forbid, fire.Trigger.FiredAt);
                return Reject(http, services, @namespace, name, TriggerProblems.Problem(
                    http,
                    TriggerProblem.ConcurrencyForbidden,
                    extensions: new Dictionary<string, object?> { ["activeRuns"] = verdict.Blocking }));
            }
            outcome = await services.Launcher.LaunchAsync(fire, cancellationToken);
            services.Concurrency.Record(arkEvent, runId);
        }
        catch (SidecarUnavailableException e)
        {
            return Unavailable(http, services, @namespace, name, e);
        }

        if (mode != "sync")
        {
            services.Metrics.Request("async", StatusCodes.Status202Accepted);
            var targets = (arkEvent.Spec.Targets ?? []).Select(t => t.Pipeline ?? string.Empty).ToArray();
            return TypedResults.Accepted(statusUrl, new FireAccepted(
                runId, $"{@namespace}/{name}", targets, statusUrl, outcome == LaunchOutcome.AlreadyExists));
        }

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
        using var scope = services.Logger.BeginScope(new Dictionary<string, object?>
        {
            ["Namespace"] = @namespace,
            ["Name"] = name,
            ["RunId"] = runId,
        });
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
    /// The token is checked against the Secret named after the trigger whether or not the trigger exists, so an
    /// unknown trigger and a wrong token look the same (401). Only a caller holding a valid token learns "404".
    /// </summary>
    private static async Task<(CatalogEntry? Entry, ProblemHttpResult? Denied)> AuthenticateAsync(
        string @namespace, string name, HttpContext http, TriggerServices services, CancellationToken cancellationToken)
    {
        var query = http.Request.Query;
        if (query.ContainsKey("token") || query.ContainsKey("access_token"))
        {
            return (null, TriggerProblems.Problem(http, TriggerProblem.TokenInQuery));
        }
        if (BearerToken(http.Request) is not { } token || !IsKubernetesName(@namespace, 63) || !IsKubernetesName(name, 253))
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

    private static bool IsKubernetesName(string value, int maxLength) =>
        value.Length is > 0 && value.Length <= maxLength &&
        value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.') &&
        char.IsAsciiLetterOrDigit(value[0]) && char.IsAsciiLetterOrDigit(value[^1]);

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
