namespace Arkonis.Cli.Output;

/// <summary><c>-o text</c> (for people, the default) or <c>-o json</c> (for scripts: one JSON document on stdout).</summary>
internal enum OutputFormat
{
    Text,
    Json,
}
