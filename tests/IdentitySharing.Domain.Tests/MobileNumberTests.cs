using IdentitySharing.Domain;

namespace IdentitySharing.Domain.Tests;

public sealed class MobileNumberTests
{
    [Theory]
    [InlineData("+447700900123", "447700900123")]
    [InlineData("447700900123", "447700900123")]
    [InlineData("+12345678", "12345678")]
    [InlineData("123456789012345", "123456789012345")]
    [InlineData("+123456789012345", "123456789012345")]
    public void Accepts_E164_and_keeps_only_the_digits(string raw, string digits)
    {
        MobileNumber.Validate(raw).Should().BeNull();
        MobileNumber.Create(raw).Value.Should().Be(digits);
    }

    [Fact]
    public void With_and_without_plus_are_the_same_number() =>
        MobileNumber.Create("+447700900123").Should().Be(MobileNumber.Create("447700900123"));

    [Theory]
    [InlineData("+1234567")]          // 7 digits: too short
    [InlineData("1234567890123456")]  // 16 digits: too long for E.164
    [InlineData("+0447700900123")]    // country code never starts with 0
    [InlineData("0447700900123")]
    [InlineData("++447700900123")]
    [InlineData("+44770+0900123")]
    [InlineData("44770090012+")]
    [InlineData("+")]
    public void Rejects_numbers_that_are_not_E164(string raw) =>
        MobileNumber.Validate(raw).Should().StartWith("must be an E.164 number");

    [Theory]
    [InlineData("+44 7700 900123")]
    [InlineData("+44-7700-900123")]
    [InlineData("(44)7700900123")]
    [InlineData("+44770090012a")]
    [InlineData("+４４7700900123")] // full-width digits
    public void Rejects_separators_letters_and_non_ascii_digits(string raw) =>
        MobileNumber.Validate(raw).Should().Be("must contain only digits after an optional leading +");

    [Fact]
    public void Rejects_more_than_20_characters_before_anything_else() =>
        MobileNumber.Validate(new string('1', 21)).Should().Be("must be at most 20 characters (got 21)");

    [Fact]
    public void Never_prints_the_number()
    {
        var number = MobileNumber.Create("+447700900123");

        number.ToString().Should().Be("[redacted]");
        $"{number}".Should().NotContain("7700");
    }
}
