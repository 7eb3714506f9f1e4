using IdentitySharing.Domain;

namespace IdentitySharing.Domain.Tests;

public sealed class ShareTokenTests
{
    [Fact]
    public void Never_prints_the_token_but_keeps_it_for_the_upstream()
    {
        var token = ShareToken.Create("_act-sbx-secret-token");

        token.ToString().Should().Be("[redacted]");
        $"{token}".Should().NotContain("secret");
        token.Value.Should().Be("_act-sbx-secret-token");
    }

    [Fact]
    public void Records_that_hold_a_token_print_it_redacted()
    {
        var holder = new Holder(ShareToken.Create("_act-secret"), EmailAddress.Create("bob@example.com"), MobileNumber.Create("+447700900123"));

        holder.ToString().Should().NotContainAny("secret", "bob", "7700").And.Contain("[redacted]");
    }

    private sealed record Holder(ShareToken Token, EmailAddress Email, MobileNumber Mobile);
}
