using System.Globalization;
using Arkonis.Model.Validation;

namespace Arkonis.Model.Tests;

public sealed class ValidationWarningTests
{
    private static readonly ArkEventValidator Validator = Samples.Validator;

    [Fact]
    public void Creating_a_suspended_event_warns()
    {
        var ev = Samples.Webhook().With(e => e.Spec.Suspend = true);

        var result = Validator.Check(ev);

        Assert.True(result.IsValid);
        Assert.Equal(["spec.suspend: the event is created suspended and will not fire until suspend is set to false"], result.Warnings);
    }

    [Fact]
    public void Suspending_an_existing_event_does_not_warn()
    {
        var ev = Samples.Webhook().With(e => e.Spec.Suspend = true);
        Assert.Empty(Validator.Check(ev, previous: Samples.Webhook()).Warnings);
    }

    [Fact]
    public void A_fixed_offset_zone_warns_with_the_real_offset()
    {
        var result = Validator.Check(Samples.Cron(timezone: "Etc/GMT+5"));

        Assert.True(result.IsValid);
        Assert.Equal(["spec.source.timezone: \"Etc/GMT+5\" is the fixed offset UTC-05:00 (Etc/ names invert the sign) and never follows daylight saving"], result.Warnings);
    }

    [Theory]
    [InlineData("30 2 * * *", "Europe/Berlin", "2026-03-29")]
    [InlineData("0 2 * * 0", "Europe/Berlin", "2026-03-29")]
    [InlineData("15 2 8 3 *", "America/New_York", "2026-03-08")]
    public void A_time_in_a_daylight_saving_gap_warns(string cron, string zone, string day)
    {
        var result = Validator.Check(Samples.Cron(cron, zone));

        Assert.True(result.IsValid);
        Assert.Equal([$"spec.source.cron: some times fall in the daylight-saving gap of {zone} (e.g. {day}); on such days the event fires once right after the gap"], result.Warnings);
    }

    [Fact]
    public void The_gap_advice_follows_the_clock_the_validator_was_given()
    {
        var afterSpring = new ArkEventValidator(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero)));

        var result = afterSpring.Check(Samples.Cron("30 2 * * *", "Europe/Berlin"));

        Assert.Contains("(e.g. 2027-03-28)", Assert.Single(result.Warnings), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("th-TH")]
    [InlineData("ar-SA")]
    [InlineData("de-DE")]
    public void Warnings_read_the_same_whatever_the_culture_of_the_process(string culture)
    {
        var before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            var result = Validator.Check(Samples.Cron("30 2 * * *", "Europe/Berlin"));

            Assert.Contains("(e.g. 2026-03-29)", Assert.Single(result.Warnings), StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Theory]
    [InlineData("0 8 * * *", "Europe/Berlin")]
    [InlineData("30 2 * * *", "UTC")]
    [InlineData("30 2 * * *", "Asia/Tokyo")]
    [InlineData("*/15 * * * *", "Europe/Berlin")]
    [InlineData("0 2 * * 1", "Europe/Berlin")]
    public void Schedules_clear_of_a_gap_do_not_warn(string cron, string zone)
    {
        Assert.Empty(Validator.Check(Samples.Cron(cron, zone)).Warnings);
    }

    [Fact]
    public void Plain_valid_events_have_no_warnings()
    {
        Assert.Empty(Validator.Check(Samples.Webhook()).Warnings);
        Assert.Empty(Validator.Check(Samples.FlowOutput("up")).Warnings);
    }
}
