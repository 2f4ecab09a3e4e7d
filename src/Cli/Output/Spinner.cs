namespace Arkonis.Cli.Output;

/// <summary>
/// A one-line spinner on stderr while a sync fire waits, shown only when stdout is a terminal and the output is text,
/// so pipes and <c>-o json</c> see nothing of it. Disposing it stops it and clears the line.
/// </summary>
internal sealed class Spinner : IAsyncDisposable
{
    private static readonly string[] Frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private Spinner(TextWriter writer, string what, TimeProvider time) => _loop = RunAsync(writer, what, time, _stop.Token);

    public static Spinner? StartIf(Printer printer, string what) =>
        printer.Console.OutputIsTerminal && !printer.IsJson ? new Spinner(printer.Console.Error, what, printer.Console.Time) : null;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private static async Task RunAsync(TextWriter writer, string what, TimeProvider time, CancellationToken stop)
    {
        var started = time.GetTimestamp();
        var frame = 0;
        while (!stop.IsCancellationRequested)
        {
            var elapsed = time.GetElapsedTime(started);
            await writer.WriteAsync($"\r{Frames[frame++ % Frames.Length]} {what} {elapsed.TotalSeconds:0}s ");
            await writer.FlushAsync(CancellationToken.None);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100), time, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await writer.WriteAsync("\r\u001b[2K");
        await writer.FlushAsync(CancellationToken.None);
    }
}
