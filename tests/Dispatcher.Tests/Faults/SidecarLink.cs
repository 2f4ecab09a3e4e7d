using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Arkonis.Dispatcher.Tests.Faults;

/// <summary>
/// A TCP relay between the dispatcher and one port of the embedded runtime, which a test can cut: the dispatcher then
/// sees what it sees when daprd has stopped (connections refused, open ones reset), while the runtime keeps its state
/// as daprd's state store and workflow state outlive a daprd restart. <see cref="Cut"/> stops listening and resets
/// every relayed connection; <see cref="Restore"/> listens again on the same port.
/// </summary>
internal sealed class SidecarLink : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly ConcurrentDictionary<Socket, byte> _open = new();
    private readonly Lock _lock = new();
    private TcpListener? _listener;
    private CancellationTokenSource? _accepting;

    private SidecarLink(IPEndPoint target, int port)
    {
        _target = target;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The relay's address, in place of the runtime's (a <c>DAPR_*_ENDPOINT</c> value).</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    public bool IsUp { get; private set; }

    /// <summary>Relays <paramref name="targetEndpoint"/> (<c>http://127.0.0.1:port</c>); up unless <paramref name="up"/> is false.</summary>
    public static SidecarLink To(string targetEndpoint, bool up = true)
    {
        var target = new Uri(targetEndpoint);
        var link = new SidecarLink(new IPEndPoint(IPAddress.Loopback, target.Port), FreePorts.Next());
        if (up)
        {
            link.Restore();
        }
        return link;
    }

    public void Restore()
    {
        lock (_lock)
        {
            if (IsUp)
            {
                return;
            }
            _listener = new TcpListener(IPAddress.Loopback, Port);
            _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _listener.Start();
            _accepting = new CancellationTokenSource();
            _ = AcceptAsync(_listener, _accepting.Token);
            IsUp = true;
        }
    }

    public void Cut()
    {
        lock (_lock)
        {
            if (!IsUp)
            {
                return;
            }
            IsUp = false;
            _accepting!.Cancel();
            _listener!.Stop();
            foreach (var socket in _open.Keys)
            {
                Reset(socket);
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = RelayAsync(client, token);
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken token)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        client.NoDelay = true;
        _open[client] = 0;
        _open[upstream] = 0;
        try
        {
            await upstream.ConnectAsync(_target, token);
            await Task.WhenAny(PumpAsync(client, upstream, token), PumpAsync(upstream, client, token));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Cut, or one side went away.
        }
        finally
        {
            Reset(client);
            Reset(upstream);
            _open.TryRemove(client, out _);
            _open.TryRemove(upstream, out _);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken token)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None, token);
                if (read == 0)
                {
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Cut, or one side went away.
        }
    }

    /// <summary>Closes with an RST, as the kernel does for the connections of a process that died.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
            // Already closed.
        }
    }
}
