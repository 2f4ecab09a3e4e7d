using FluentValidation;

namespace Arkonis.Dispatcher.Hosting;

/// <summary>
/// How long Kestrel lets a connection hold the server without doing its part (section <c>Connections</c>): the cut for
/// a slowloris (headers trickled byte by byte), a slow body and an idle keep-alive. Kestrel's limits are the server's,
/// so they apply to every port; the callback and dashboard ports are loopback by default and their clients (daprd,
/// a browser) send at full speed. Kestrel's own defaults would cut these too, later: 30 s for headers.
/// </summary>
public sealed record ConnectionLimitsOptions
{
    public const string SectionName = "Connections";

    /// <summary>
    /// From the connection's first byte (or the previous response) to the end of the request headers. A webhook
    /// caller sends its headers in one packet; 10 s leaves room for any network and cuts a slowloris (Kestrel: 30 s).
    /// </summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// An idle connection between requests is closed after this. Kestrel's 130 s, kept longer than common client idle
    /// timeouts (Go's <c>http.Transport</c> 90 s, as daprd's clients use) so the client closes first and never sends
    /// on a connection the server is closing.
    /// </summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(130);

    /// <summary>
    /// A request body that arrives slower than this, on average after <see cref="MinRequestBodyGracePeriod"/>, is cut
    /// (408 and the connection closed). Kestrel's 240 bytes/s: a 1 MiB body at that rate takes 73 minutes, so no real
    /// client comes near it; 0 turns the check off.
    /// </summary>
    public double MinRequestBodyBytesPerSecond { get; init; } = 240;

    /// <summary>How long a body may arrive slower than the minimum rate at first (Kestrel: 5 s; more than 1 s).</summary>
    public TimeSpan MinRequestBodyGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Open connections the server accepts at once; null (default) is no limit. A cap is what a slowloris wants to
    /// fill: with the timeouts above each slow connection goes after seconds, and the real bound on open sockets is
    /// the process's file descriptors and the ingress in front. Set it only with a limit per client in front.
    /// </summary>
    public long? MaxConcurrentConnections { get; init; }
}

public sealed class ConnectionLimitsOptionsValidator : AbstractValidator<ConnectionLimitsOptions>
{
    public ConnectionLimitsOptionsValidator()
    {
        RuleFor(o => o.RequestHeadersTimeout).GreaterThan(TimeSpan.Zero).WithMessage("must be positive");
        RuleFor(o => o.KeepAliveTimeout).GreaterThan(TimeSpan.Zero).WithMessage("must be positive");
        RuleFor(o => o.MinRequestBodyBytesPerSecond).GreaterThanOrEqualTo(0).WithMessage("must not be negative (0 turns the check off)");
        // Kestrel checks rates on a one-second heartbeat and refuses a grace period that is not longer.
        RuleFor(o => o.MinRequestBodyGracePeriod).GreaterThan(TimeSpan.FromSeconds(1)).WithMessage("must be more than 1 s (Kestrel's heartbeat)");
        RuleFor(o => o.MaxConcurrentConnections).GreaterThan(0).When(o => o.MaxConcurrentConnections is not null).WithMessage("must be positive, or unset for no limit");
    }
}
