using Google.Protobuf.WellKnownTypes;

namespace IdentitySharing.EndToEnd.Tests;

/// <summary>The host with <c>Auth:AllowUnauthenticatedHealthAndReflection=false</c>: health and reflection need a key too.</summary>
public sealed class ClosedHealthHostFixture : AuthHostFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraConfiguration =>
        base.ExtraConfiguration.Append(new("Auth:AllowUnauthenticatedHealthAndReflection", "false"));
}

public sealed class AuthClosedHealthTests(ClosedHealthHostFixture host) : IClassFixture<ClosedHealthHostFixture>
{
    [Theory]
    [InlineData("/grpc.health.v1.Health/Check")]
    [InlineData("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo")]
    [InlineData("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")]
    public async Task Health_and_reflection_without_a_key_are_unauthenticated(string path)
    {
        var result = await host.Client.CallAsync(path, new Empty(), Empty.Parser);

        result.StatusCode.Should().Be(16);
    }

    [Fact]
    public async Task Health_with_any_callers_key_is_served()
    {
        // The allow-list names this service's RPCs; health is open to every authenticated caller.
        var result = await host.Client.CallAsync("/grpc.health.v1.Health/Check", new Empty(), Empty.Parser, AuthHostFixture.Bearer(host.BillingKey));

        result.StatusCode.Should().Be(0);
    }
}
