using Arkonis.Model.Defaulting;
using Arkonis.Model.Resources;
using Arkonis.Model.Validation;
using k8s;
using YamlDotNet.Core;

namespace Arkonis.Dispatcher.Catalog;

/// <summary>A file that could not be read as ArkEvents at all.</summary>
public sealed record UnreadableFile(string Path, string Reason);

/// <summary>What one scan of the directory found.</summary>
public sealed record DirectoryScan(IReadOnlyList<(CatalogEntry Entry, string File)> Entries, IReadOnlyList<UnreadableFile> Unreadable);

/// <summary>
/// Reads a directory of ArkEvent YAML files (several documents per file allowed). Each ArkEvent is defaulted and
/// validated like admission would; an invalid one is kept as an entry with its problems, so a fire answers
/// 409 with the reason instead of 404. A file that is not YAML, or not ArkEvents, is reported and skipped.
/// </summary>
public static class YamlDirectoryLoader
{
    /// <param name="directory">The directory to scan.</param>
    /// <param name="defaultNamespace">The namespace of an ArkEvent that names none.</param>
    /// <param name="time">The clock validation may use for advice about the coming year.</param>
    public static DirectoryScan Load(string directory, string defaultNamespace, TimeProvider time)
    {
        var validator = new ArkEventValidator(time);
        var entries = new List<(CatalogEntry, string)>();
        var unreadable = new List<UnreadableFile>();
        var seen = new HashSet<(string, string)>();
        foreach (var file in ListFiles(directory))
        {
            List<ArkEvent> events;
            try
            {
                events = Parse(File.ReadAllText(file));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or YamlException
                                          or InvalidOperationException or FormatException or ArgumentException)
            {
                unreadable.Add(new UnreadableFile(file, FirstLine(e.Message)));
                continue;
            }
            foreach (var arkEvent in events)
            {
                // An empty "metadata:" deserializes as null; it then reads as an event without a name.
                arkEvent.Metadata ??= new();
                if (string.IsNullOrEmpty(arkEvent.Metadata.NamespaceProperty))
                {
                    arkEvent.Metadata.NamespaceProperty = defaultNamespace;
                }
                if (string.IsNullOrEmpty(arkEvent.Name) || !seen.Add((arkEvent.Namespace, arkEvent.Name)))
                {
                    unreadable.Add(new UnreadableFile(file, string.IsNullOrEmpty(arkEvent.Name)
                        ? "an ArkEvent has no metadata.name"
                        : $"ArkEvent {arkEvent.Namespace}/{arkEvent.Name} is defined twice; the first one counts"));
                    continue;
                }
                ArkEventDefaulter.Apply(arkEvent);
                var validation = validator.Check(arkEvent);
                entries.Add((new CatalogEntry(arkEvent, [.. validation.Problems.Select(p => p.ToString())]), file));
            }
        }
        return new DirectoryScan(entries, unreadable);
    }

    /// <summary>A cheap fingerprint of the directory: changes when a file is added, removed, or written.</summary>
    public static string Fingerprint(string directory) =>
        string.Join('|', ListFiles(directory).Select(f =>
        {
            var info = new FileInfo(f);
            return $"{f}:{info.Length}:{info.LastWriteTimeUtc.Ticks}";
        }));

    internal static List<ArkEvent> Parse(string yaml)
    {
        var events = new List<ArkEvent>();
        foreach (var document in YamlDocuments.Split(yaml))
        {
            var probe = KubernetesYaml.Deserialize<KubernetesObjectProbe>(document);
            if (probe is null)
            {
                continue;
            }
            if (probe.Kind != ArkEvent.KindName || probe.ApiVersion != ArkEvent.ApiVersionValue)
            {
                throw new InvalidOperationException(
                    $"expected apiVersion {ArkEvent.ApiVersionValue}, kind {ArkEvent.KindName}; found {probe.ApiVersion}, {probe.Kind}");
            }
            events.Add(KubernetesYaml.Deserialize<ArkEvent>(document));
        }
        return events;
    }

    private static IEnumerable<string> ListFiles(string directory) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*.*", SearchOption.TopDirectoryOnly)
                .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal)
            : [];

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    private sealed class KubernetesObjectProbe
    {
        public string? ApiVersion { get; set; }

        public string? Kind { get; set; }
    }
}
