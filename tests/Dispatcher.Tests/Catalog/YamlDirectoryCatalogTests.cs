using Arkonis.Dispatcher.Catalog;
using Arkonis.Dispatcher.Tests.Harness;
using Arkonis.Model.Resources;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Arkonis.Dispatcher.Tests.Catalog;

public sealed class YamlDirectoryCatalogTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("arkevent-yaml-").FullName;

    public void Dispose() => Directory.Delete(_directory, true);

    private const string Valid = """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata: { name: ok }
        spec:
          source: { type: webhook }
          targets: [ { pipeline: echo } ]
        """;

    [Fact]
    public void Every_sample_event_loads_and_is_valid()
    {
        var samples = Path.Combine(RepositoryRoot(), "samples", "events");
        var scan = YamlDirectoryLoader.Load(samples, "default", TimeProvider.System);

        Assert.Empty(scan.Unreadable);
        Assert.Equal(4, scan.Entries.Count);
        Assert.All(scan.Entries, e => Assert.True(e.Entry.IsValid, string.Join("; ", e.Entry.Problems)));
        Assert.Equal(
            [SourceTypes.Cron, SourceTypes.Cron, SourceTypes.FlowOutput, SourceTypes.Webhook],
            scan.Entries.Select(e => e.Entry.Event.Spec.Source!.Type!).Order());
    }

    [Fact]
    public void A_file_without_namespace_gets_the_default_and_is_defaulted()
    {
        File.WriteAllText(Path.Combine(_directory, "ok.yaml"), Valid);
        var (entry, _) = Assert.Single(YamlDirectoryLoader.Load(_directory, "team-a", TimeProvider.System).Entries);

        Assert.Equal("team-a", entry.Namespace);
        Assert.True(entry.IsValid);
        Assert.Equal(ConcurrencyPolicies.Allow, entry.Event.Spec.ConcurrencyPolicy);
    }

    [Theory]
    [InlineData("spec:\n")]
    [InlineData("spec:\n  source:\n  targets:\n    -\n")]
    [InlineData("spec: { source: { type: webhook }, targets: [ { pipeline: echo, input: } ] }\n")]
    [InlineData("metadata:\n")]
    public void A_file_with_empty_parts_never_throws(string rest)
    {
        var yaml = "apiVersion: arkonis.dev/v1alpha1\nkind: ArkEvent\n" +
            (rest.StartsWith("metadata", StringComparison.Ordinal) ? rest : "metadata: { name: empty }\n" + rest);
        File.WriteAllText(Path.Combine(_directory, "empty.yaml"), yaml);

        var scan = YamlDirectoryLoader.Load(_directory, "default", TimeProvider.System);

        Assert.Equal(1, scan.Entries.Count + scan.Unreadable.Count);
    }

    [Fact]
    public void An_unreadable_file_is_reported_and_skipped_and_an_invalid_event_is_kept_with_its_problems()
    {
        File.WriteAllText(Path.Combine(_directory, "a-garbage.yaml"), "this: is: [not yaml");
        File.WriteAllText(Path.Combine(_directory, "b-other-kind.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n");
        File.WriteAllText(Path.Combine(_directory, "c-invalid.yml"), Valid.Replace("name: ok", "name: bad").Replace("type: webhook", "type: cron, cron: \"61 * * * *\""));
        File.WriteAllText(Path.Combine(_directory, "d-two.yaml"), Valid + "\n---\n" + Valid.Replace("name: ok", "name: ok2"));
        File.WriteAllText(Path.Combine(_directory, "notes.txt"), "ignored");

        var scan = YamlDirectoryLoader.Load(_directory, "default", TimeProvider.System);

        Assert.Equal(["a-garbage.yaml", "b-other-kind.yaml"], scan.Unreadable.Select(u => Path.GetFileName(u.Path)));
        var byName = scan.Entries.ToDictionary(e => e.Entry.Name, e => e.Entry);
        Assert.Equal(["bad", "ok", "ok2"], byName.Keys.Order());
        Assert.False(byName["bad"].IsValid);
        Assert.Contains(byName["bad"].Problems, p => p.StartsWith("spec.source.cron:", StringComparison.Ordinal));
    }

    [Fact]
    public void An_event_with_an_H_cron_is_kept_as_invalid_not_an_exception()
    {
        File.WriteAllText(Path.Combine(_directory, "hashed.yaml"), Valid.Replace("name: ok", "name: hashed").Replace("type: webhook", "type: cron, cron: \"H 8 * * *\""));

        var scan = YamlDirectoryLoader.Load(_directory, "default", TimeProvider.System);

        var entry = Assert.Single(scan.Entries).Entry;
        Assert.False(entry.IsValid);
        Assert.Contains("spec.source.cron: Invalid value: \"H 8 * * *\": H (a hashed value) is not supported", Assert.Single(entry.Problems), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> MultiDocumentFiles => new()
    {
        { "a separator with a comment", Valid + "\n--- # the second one\n" + Valid.Replace("name: ok", "name: ok2") },
        { "a leading and a trailing separator", "---\n" + Valid + "\n---\n" + Valid.Replace("name: ok", "name: ok2") + "\n---\n" },
        { "a document of comments only", Valid + "\n---\n# nothing here\n---\n" + Valid.Replace("name: ok", "name: ok2") },
        { "an explicit document end", Valid + "\n...\n---\n" + Valid.Replace("name: ok", "name: ok2") },
    };

    [Theory]
    [MemberData(nameof(MultiDocumentFiles))]
    public void Every_document_of_a_file_loads_whatever_yaml_separates_them_with(string name, string yaml)
    {
        _ = name;
        File.WriteAllText(Path.Combine(_directory, "two.yaml"), yaml);

        var scan = YamlDirectoryLoader.Load(_directory, "default", TimeProvider.System);

        Assert.Empty(scan.Unreadable);
        Assert.Equal(["ok", "ok2"], scan.Entries.Select(e => e.Entry.Name).Order());
        Assert.All(scan.Entries, e => Assert.True(e.Entry.IsValid, string.Join("; ", e.Entry.Problems)));
    }

    [Fact]
    public async Task The_source_reloads_when_a_file_changes_and_survives_a_broken_edit()
    {
        File.WriteAllText(Path.Combine(_directory, "ok.yaml"), Valid);
        var catalog = new ArkEventCatalog();
        using var source = new YamlDirectoryCatalogSource(
            catalog,
            Options.Create(new CatalogOptions { Directory = _directory, PollInterval = TimeSpan.FromMilliseconds(100) }),
            TimeProvider.System,
            NullLogger<YamlDirectoryCatalogSource>.Instance);
        await source.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(source.Loaded);
            Assert.NotNull(catalog.Find("default", "ok"));

            File.WriteAllText(Path.Combine(_directory, "ok2.yaml"), Valid.Replace("name: ok", "name: ok2"));
            await Eventually.Until(() => catalog.Find("default", "ok2") is not null, "ok2.yaml added to the catalog");

            File.WriteAllText(Path.Combine(_directory, "ok2.yaml"), "not: [valid");
            await Eventually.Until(() => catalog.Find("default", "ok2") is null, "the broken ok2.yaml dropped from the catalog");
            Assert.NotNull(catalog.Find("default", "ok"));

            File.Delete(Path.Combine(_directory, "ok.yaml"));
            await Eventually.Until(() => catalog.Entries.Count == 0, "the deleted ok.yaml gone from the catalog");
        }
        finally
        {
            await source.StopAsync(CancellationToken.None);
        }
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ArkEvent.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("ArkEvent.sln not found above the test directory");
    }
}
