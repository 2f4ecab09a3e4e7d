using System.Text.Json.Nodes;
using Arkonis.Model.Resources;
using k8s;
using YamlDotNet.Core;

namespace Arkonis.Cli.Manifests;

/// <summary>
/// One YAML document of a manifest file: an ArkEvent (typed, and as the JSON kubectl sends), another kind (skipped),
/// or text that could not be read.
/// </summary>
internal sealed record ManifestDocument(int Index, ArkEvent? Event, string? OtherKind, string? Error, JsonObject? Object = null);

/// <summary>
/// Reads manifest files as kubectl would send them: every YAML document, ArkEvents deserialized with the
/// Kubernetes client's YAML settings (the same the dispatcher's local catalog uses). Other kinds are reported, not
/// failed, so a GitOps repository's mixed files can be checked whole.
/// </summary>
internal static class ManifestReader
{
    public static IReadOnlyList<ManifestDocument> Read(string yaml)
    {
        var result = new List<ManifestDocument>();
        List<string> documents;
        try
        {
            documents = YamlDocuments.Split(yaml);
        }
        catch (YamlException e)
        {
            return [new ManifestDocument(0, null, null, "not YAML: " + FirstLine(e.Message))];
        }

        for (var i = 0; i < documents.Count; i++)
        {
            result.Add(ReadDocument(i, documents[i]));
        }

        return result;
    }

    private static ManifestDocument ReadDocument(int index, string document)
    {
        try
        {
            var probe = KubernetesYaml.Deserialize<Probe>(document);
            if (probe is null || (probe.ApiVersion is null && probe.Kind is null))
            {
                return new ManifestDocument(index, null, "(empty)", null);
            }

            if (probe.Kind != ArkEvent.KindName || probe.ApiVersion != ArkEvent.ApiVersionValue)
            {
                return new ManifestDocument(index, null, $"{probe.ApiVersion} {probe.Kind}", null);
            }

            var ev = KubernetesYaml.Deserialize<ArkEvent>(document);
            ev.Metadata ??= new k8s.Models.V1ObjectMeta();
            ev.Spec ??= new ArkEventSpec();
            return new ManifestDocument(index, ev, null, null, Crd.Yaml.LoadAll(document).Single());
        }
        catch (YamlException e)
        {
            return new ManifestDocument(index, null, null, $"line {e.Start.Line}: {FirstLine(e.InnerException?.Message ?? e.Message)}");
        }
        catch (Exception e) when (e is InvalidCastException or ArgumentException or InvalidOperationException)
        {
            // A mapping key that is not a scalar, or a key given twice: kubectl refuses to send it as JSON.
            return new ManifestDocument(index, null, null, $"not an object kubectl can send: {FirstLine(e.Message)}");
        }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    private sealed class Probe
    {
        public string? ApiVersion { get; set; }

        public string? Kind { get; set; }
    }
}
