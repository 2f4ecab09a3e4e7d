using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Arkonis.Model.Resources;

/// <summary>Splits a multi-document YAML file the way YAML does, so that each document can be read on its own.</summary>
public static class YamlDocuments
{
    /// <summary>
    /// The text of each document, as YamlDotNet's parser (the one <c>KubernetesYaml</c> reads with) delimits them:
    /// <c>--- # comment</c>, <c>...</c> and directives are YAML's business. Empty documents (a trailing <c>---</c>, a
    /// document of comments) are kept, for the caller to skip. Not <c>KubernetesYaml.LoadAllFromString</c>: it fails the
    /// whole file on an empty document. A syntax error throws YamlDotNet's <see cref="YamlException"/>.
    /// </summary>
    public static List<string> Split(string yaml)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        var documents = new List<string>();
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        while (parser.TryConsume<DocumentStart>(out var start))
        {
            parser.SkipThisAndNestedEvents();
            var end = parser.Consume<DocumentEnd>();
            documents.Add(yaml[(int)start.Start.Index..(int)end.End.Index]);
        }
        return documents;
    }
}
