using Arkonis.Hosting;
using Arkonis.Admission.Cycles;
using Arkonis.Admission.Hosting;
using Arkonis.Admission.Mutation;
using Arkonis.Admission.Observability;
using Arkonis.Admission.Reviews;
using Arkonis.Admission.Tls;
using Arkonis.Admission.Validation;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Arkonis.Admission.Service;

public static class AdmissionHostingExtensions
{
    /// <summary>
    /// Everything the admission service needs: options, webhooks, cycle check, listener/TLS, health, metrics.
    /// Made for <see cref="WebApplication.CreateSlimBuilder()"/> (no IIS, HTTP/3, EventSource/Debug logging or
    /// host filtering: about 2 MB less resident); HTTPS is the one piece it has to add back.
    /// </summary>
    public static WebApplicationBuilder AddAdmission(this WebApplicationBuilder builder)
    {
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.Logging.AddArkEventLogging();
        var services = builder.Services;
        services.AddValidatedOptions<AdmissionOptions, AdmissionOptionsValidator>(AdmissionOptions.Section);
        services.TryAddSingleton(TimeProvider.System);
        services.AddProblemDetails();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, AdmissionJsonContext.Default));
        services.AddRequestTimeouts();
        services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<AdmissionOptions>>((timeouts, admission) =>
            timeouts.DefaultPolicy = new RequestTimeoutPolicy { Timeout = admission.Value.RequestTimeout, TimeoutStatusCode = StatusCodes.Status504GatewayTimeout });
        services.AddSingleton<ValidatingWebhook>();
        services.AddSingleton<MutatingWebhook>();
        services.AddFlowCycleCheck();
        services.AddAdmissionListener();
        services.AddAdmissionObservability();
        return builder;
    }

    public static WebApplication MapAdmission(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestTimeouts();
        app.MapAdmissionApi();
        app.MapAdmissionObservability();
        return app;
    }
}
