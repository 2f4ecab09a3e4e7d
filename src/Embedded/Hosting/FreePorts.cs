using System.Net;
using System.Net.Sockets;

namespace Arkonis.Embedded.Hosting;

/// <summary>
/// Loopback ports for test servers that must know their port before they bind it (the dispatcher's port isolation
/// is configured by port number). Asking the OS for port 0 and releasing it races: the port comes from the ephemeral
/// range, where every outgoing connection of this and any other process takes its local port, and the OS can hand
/// the same port out again. So ports come from below the ephemeral range (Linux: 32768+, Windows and macOS: 49152+),
/// each at most once per process, starting at a process-dependent offset so parallel test processes (other test
/// projects, other checkouts) walk different parts of the range; a port something listens on is skipped.
/// </summary>
public static class FreePorts
{
    private const int First = 20000;
    private const int Count = 12000;
    private static int _next = Environment.ProcessId * 397 % Count;

    public static int Next()
    {
        for (var attempt = 0; attempt < Count; attempt++)
        {
            var port = First + (Interlocked.Increment(ref _next) % Count);
            if (IsFree(port))
            {
                return port;
            }
        }
        throw new InvalidOperationException($"No free loopback port in {First}-{First + Count - 1}.");
    }

    private static bool IsFree(int port)
    {
        // The dispatcher listens on every address (IPv6 any, dual stack), the fakes on loopback: try the wider bind.
        using var socket = Socket.OSSupportsIPv6
            ? new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = true }
            : new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
