using IdentitySharing.Infrastructure.Http;

namespace IdentitySharing.Infrastructure.Tests;

/// <summary>The sanitiser's edges that the adapters' tests reach only by chance.</summary>
public sealed class UpstreamTextTests
{
    [Fact]
    public void An_email_cut_by_the_examined_window_is_dropped_not_shown_in_part()
    {
        // The address straddles the 2,048th character, so the examined window cuts it after
        // "someone.priv" (no '@' left for the email pattern). The spaces before it collapse, so
        // whatever the window keeps of it would show within the 200 characters returned.
        var message = new string(' ', 2_030) + "start someone.private@example.com and more text";

        var safe = UpstreamText.Message(message, []);

        safe.Should().Be("start", "the word the window cuts is dropped whole");
    }

    [Fact]
    public void A_message_without_spaces_longer_than_the_window_is_dropped_whole()
    {
        UpstreamText.Message(new string('x', 3_000) + "someone@example.com", []).Should().BeEmpty();
    }

    [Fact]
    public void Truncation_never_splits_a_surrogate_pair()
    {
        var emoji = string.Concat(Enumerable.Repeat("\U0001F600", 150));

        var safe = UpstreamText.Message(emoji, []);

        safe.Length.Should().BeLessThanOrEqualTo(UpstreamText.MaxMessageLength);
        safe.Should().EndWith("…");
        System.Text.Rune.DecodeFromUtf16(safe.AsSpan(safe.Length - 3, 2), out var last, out _).Should().Be(System.Buffers.OperationStatus.Done);
        last.Value.Should().Be(0x1F600);
    }

    [Theory]
    [InlineData("Six digits 123456 stay.", "Six digits 123456 stay.")]
    [InlineData("Call 1234567 now.", "Call [redacted] now.")]
    [InlineData("Call +1 (555) 010-9999 now.", "Call [redacted] now.")]
    [InlineData("Arabic-Indic \u0661\u0662\u0663\u0664\u0665\u0666\u0667 digits.", "Arabic-Indic [redacted] digits.")]
    [InlineData("Mail a@b or A%40B.", "Mail [redacted] or [redacted].")]
    [InlineData("The address ada.lovelace@ is incomplete.", "The address [redacted] is incomplete.")]
    [InlineData("Write to <grace@navy.example>, please.", "Write to <[redacted]>, please.")]
    [InlineData("Known VALUE-1 and value-1 and value%2D1.", "Known [redacted] and [redacted] and [redacted].")]
    [InlineData("Spaces   and\ttabs collapse.", "Spaces and tabs collapse.")]
    [InlineData("%E2%80%AEreversed", "reversed")]
    [InlineData("100% sure, 50%-off", "100% sure, 50%-off")]
    public void Messages_are_redacted_and_cleaned(string message, string expected) =>
        UpstreamText.Message(message, ["value-1"]).Should().Be(expected);

    [Theory]
    [InlineData("corr-1", "corr-1")]
    [InlineData("a.b_c:d-E9", "a.b_c:d-E9")]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("a b", null)]
    [InlineData("a/b", null)]
    [InlineData("a@b", null)]
    [InlineData("+123456789", null)]
    [InlineData("é", null)]
    public void Ids_pass_only_as_plain_identifiers(string? id, string? expected) =>
        UpstreamText.Id(id).Should().Be(expected);
}
