using IdentitySharing.Domain;

namespace IdentitySharing.Domain.Tests;

public sealed class EmailAddressTests
{
    [Theory]
    [InlineData("name@example.com")]
    [InlineData("first.last+tag@sub.example.co.uk")]
    [InlineData("a@b")]
    [InlineData("jürgen@müller.de")]
    public void Accepts_one_at_sign_with_text_on_both_sides(string value) =>
        EmailAddress.Validate(value).Should().BeNull();

    [Theory]
    [InlineData("no-at-sign.example.com")]
    [InlineData("@example.com")]
    [InlineData("name@")]
    [InlineData("two@at@example.com")]
    [InlineData("@")]
    public void Rejects_anything_but_exactly_one_at_sign_between_text(string value) =>
        EmailAddress.Validate(value).Should().StartWith("must be an email address with exactly one @");

    [Theory]
    [InlineData("na me@example.com")]
    [InlineData("name@exa\u00a0mple.com")]
    [InlineData("name@example.com\u3000")]
    public void Rejects_white_space(string value) =>
        EmailAddress.Validate(value).Should().Be("must contain only characters other than white space");

    [Fact]
    public void Keeps_the_address_as_given() =>
        EmailAddress.Create("Name@Example.com").Value.Should().Be("Name@Example.com");

    [Fact]
    public void Never_prints_the_address()
    {
        var email = EmailAddress.Create("alice@example.com");

        email.ToString().Should().Be("[redacted]");
        $"{email}".Should().NotContain("alice");
    }
}
