using Arkonis.Admission.Cycles;
using Arkonis.Model.Resources;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace Arkonis.Admission.Tests.Support;

/// <summary>The real admission app in memory (plain HTTP); the API server behind the cycle check is a substitute.</summary>
public class AdmissionApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public AdmissionApp()
        : this([])
    {
    }

    protected AdmissionApp(Dictionary<string, string?> settings)
    {
        _settings = settings;
        Lister.ListAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(Array.Empty<ArkEvent>());
    }

    public IArkEventLister Lister { get; } = Substitute.For<IArkEventLister>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Admission:Tls:Enabled", "false");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => services.AddSingleton(Lister));
    }
}
