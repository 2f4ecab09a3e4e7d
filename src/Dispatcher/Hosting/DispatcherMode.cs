namespace Arkonis.Dispatcher.Hosting;

/// <summary>
/// How the dispatcher runs (DESIGN §6). Read once, from <c>Dispatcher:Mode</c>; Program.cs then adds that mode's parts
/// and nothing replaces them later.
/// </summary>
public enum DispatcherMode
{
    /// <summary>
    /// Beside a Dapr sidecar on a laptop (<c>dapr run -f .</c>): ArkEvents from YAML files, flows started on the
    /// flow-runner app, trigger reports in memory and in the log. The default.
    /// </summary>
    Local,

    /// <summary>The operator in a cluster: ArkEvents from a watch, flows as ArkFlows, reports as status and Events.</summary>
    Kubernetes,
}

public static class DispatcherModes
{
    public const string Key = "Dispatcher:Mode";

    /// <summary>
    /// The mode <c>Dispatcher:Mode</c> names, case-insensitively; <see cref="DispatcherMode.Local"/> when it is not set.
    /// A name that is no mode stops the start: a mode is never guessed.
    /// </summary>
    public static DispatcherMode GetDispatcherMode(this IConfiguration configuration)
    {
        var name = configuration[Key]?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            return DispatcherMode.Local;
        }
        foreach (var mode in Enum.GetValues<DispatcherMode>())
        {
            if (string.Equals(name, mode.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                return mode;
            }
        }
        throw new InvalidOperationException(
            $"{Key} is '{name}'; it must be one of: {string.Join(", ", Enum.GetNames<DispatcherMode>())}.");
    }
}
