using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Arkonis.Admission.Hosting;
using Arkonis.Admission.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Arkonis.Admission.Tests.Webhooks;

/// <summary>On a real Kestrel socket: a client that stops mid-body gets an answer, not a held connection.</summary>
public sealed class RequestTimeoutTests
{
    [Fact]
    public async Task Body_that_stalls_is_answered_504_instead_of_holding_the_request()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Admission:ListenAddress"] = "127.0.0.1",
            ["Admission:Port"] = "0",
            ["Admission:Tls:Enabled"] = "false",
            ["Admission:RequestTimeout"] = "00:00:00.500",
            ["Admission:CycleCheckTimeout"] = "00:00:00.100",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.AddAdmission();
        await using var app = builder.Build();
        app.MapAdmission();
        await app.StartAsync();
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()).Port;

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        var head = "POST /validate-arkevent?timeout=10s HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n\r\n{\"apiVersion\":";
        var watch = Stopwatch.StartNew();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));

        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await stream.ReadAsync(buffer, deadline.Token);
        var statusLine = Encoding.ASCII.GetString(buffer, 0, read).Split("\r\n")[0];

        Assert.Equal("HTTP/1.1 504 Gateway Timeout", statusLine);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(5));
    }
}
