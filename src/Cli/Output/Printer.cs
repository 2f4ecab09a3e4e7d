using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Arkonis.Cli.Output;

/// <summary>Writes results in the chosen format and errors to stderr (as JSON too with <c>-o json</c>).</summary>
internal sealed class Printer(CliConsole console, OutputFormat format)
{
    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public OutputFormat Format => format;

    public CliConsole Console => console;

    public bool IsJson => format == OutputFormat.Json;

    public void Line(string text = "") => console.Out.WriteLine(text);

    public void Json(JsonNode? node) => console.Out.WriteLine(node?.ToJsonString(Indented) ?? "null");

    public int Error(CliException error)
    {
        if (IsJson)
        {
            console.Error.WriteLine(new JsonObject
            {
                ["error"] = new JsonObject { ["code"] = error.Code, ["message"] = error.Message },
            }.ToJsonString(Indented));
        }
        else
        {
            console.Error.WriteLine("error: " + error.Message);
        }

        return error.ExitCode;
    }

    /// <summary>A table with aligned columns (text output).</summary>
    public void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var all = new List<IReadOnlyList<string>> { headers };
        all.AddRange(rows);
        var widths = headers.Select((_, i) => all.Max(r => r[i].Length)).ToArray();
        foreach (var row in all)
        {
            console.Out.WriteLine(string.Join("   ", row.Select((cell, i) => i == row.Count - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }
}
