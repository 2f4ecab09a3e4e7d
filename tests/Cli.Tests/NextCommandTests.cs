using Arkonis.Cli.Tests.Support;

namespace Arkonis.Cli.Tests;

/// <summary><c>arkevent next -f</c>: the model's schedule, offline, in UTC and the event's zone (across a DST change).</summary>
public sealed class NextCommandTests
{
    private static readonly string CronExample = Repo.Path("deploy", "examples", "cron.yaml");

    [Fact]
    public async Task Weekday_mornings_in_Amsterdam_cross_the_spring_forward()
    {
        var result = await CliRun.RunAsync("next", "-f", CronExample, "--count", "6", "-o", "json");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("Europe/Amsterdam", result.Json["timezone"]!.GetValue<string>());
        var next = result.Json["next"]!.AsArray();
        Assert.Equal(
            ["2026-03-24T07:00:00Z", "2026-03-25T07:00:00Z", "2026-03-26T07:00:00Z", "2026-03-27T07:00:00Z", "2026-03-30T06:00:00Z", "2026-03-31T06:00:00Z"],
            next.Select(n => n!["utc"]!.GetValue<string>()));
        Assert.Equal("2026-03-30T08:00:00+02:00", next[4]!["local"]!.GetValue<string>());
    }

    [Fact]
    public async Task Text_shows_both_columns()
    {
        var result = await CliRun.RunAsync("next", "morning-digest", "-f", CronExample, "--count", "1");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["ai-team/morning-digest: \"0 8 * * 1-5\" in Europe/Amsterdam", "UTC                    EUROPE/AMSTERDAM", "Tue 2026-03-24 07:00   Tue 2026-03-24 08:00 +01:00"], result.OutLines);
    }

    [Fact]
    public async Task A_webhook_event_has_no_schedule()
    {
        var result = await CliRun.RunAsync("next", "-f", Repo.Path("deploy", "examples", "webhook.yaml"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is a webhook event, not a cron one", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_invalid_schedule_is_reported_with_the_parser_message()
    {
        var result = await CliRun.RunAsync("next", "-f", Repo.Path("deploy", "examples", "invalid", "bad-cron.yaml"));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Minutes: Value must be a number between 0 and 59", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1001")]
    public async Task Count_is_bounded(string count)
    {
        var result = await CliRun.RunAsync("next", "-f", CronExample, "--count", count);

        Assert.Equal(2, result.ExitCode);
    }

    [Fact]
    public async Task A_name_not_in_the_file_is_named()
    {
        var result = await CliRun.RunAsync("next", "other", "-f", CronExample);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("holds no ArkEvent named other", result.Error, StringComparison.Ordinal);
    }
}
