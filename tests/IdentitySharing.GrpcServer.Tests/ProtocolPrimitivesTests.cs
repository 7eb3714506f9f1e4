using IdentitySharing.GrpcServer.Internal;
using Microsoft.AspNetCore.Http;

namespace IdentitySharing.GrpcServer.Tests;

/// <summary>The small parsers and encoders behind the wire format.</summary>
public sealed class ProtocolPrimitivesTests
{
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("250m", 2_500_000L)]
    [InlineData("7u", 70L)]
    [InlineData("1000n", 10L)]
    [InlineData("0m", 0L)]
    [InlineData("99999999H", 99_999_999L * 36_000_000_000L)]
    public void Valid_grpc_timeout_parses(string value, long expectedTicks)
    {
        GrpcTimeout.TryParse(value, out var timeout).Should().BeTrue();
        timeout.Ticks.Should().Be(expectedTicks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("5")]
    [InlineData("123456789m")]
    [InlineData("5s")]
    [InlineData("5h")]
    [InlineData("+5S")]
    [InlineData(" 5S")]
    [InlineData("５S")]
    public void Malformed_grpc_timeout_is_rejected(string value) =>
        GrpcTimeout.TryParse(value, out _).Should().BeFalse();

    [Theory]
    [InlineData("plain message", "plain message")]
    [InlineData("100%", "100%25")]
    [InlineData("a\tb", "a%09b")]
    [InlineData("☺", "%E2%98%BA")]
    [InlineData("😈", "%F0%9F%98%88")]
    [InlineData("~ }", "~ }")]
    public void Grpc_message_is_percent_encoded(string message, string expected) =>
        PercentEncoding.Encode(message).Should().Be(expected);

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc;charset=utf-8", true)]
    [InlineData("application/grpcweb", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void Content_type_check(string? contentType, bool expected) =>
        GrpcProtocol.IsGrpcContentType(contentType).Should().Be(expected);

    [Fact]
    public void Binary_metadata_accepts_padded_unpadded_and_comma_joined_values()
    {
        var headers = new HeaderDictionary
        {
            ["x-data-bin"] = new(["AQI=, AQID", "AQIDBA"]),
            ["x-broken-bin"] = "!!!",
            ["x-plain"] = "value",
            ["Content-Type"] = "application/grpc",
            ["grpc-timeout"] = "1S",
            ["TE"] = "trailers",
            ["User-Agent"] = "test-agent",
        };

        var metadata = GrpcMetadata.ReadRequestMetadata(headers);

        metadata.Should().BeEquivalentTo(new KeyValuePair<string, string>[]
        {
            new("x-data-bin", "AQI"),
            new("x-data-bin", "AQID"),
            new("x-data-bin", "AQIDBA"),
            new("x-plain", "value"),
            new("user-agent", "test-agent"),
        });
        GrpcMetadata.GetRequestHeader(headers, "x-data-bin").Should().Be("AQI");
        GrpcMetadata.GetRequestHeader(headers, "grpc-timeout").Should().BeNull();
        GrpcMetadata.GetRequestHeader(headers, "x-broken-bin").Should().BeNull();
    }

    [Theory]
    [InlineData("AQI=", new byte[] { 1, 2 })]
    [InlineData("AQI", new byte[] { 1, 2 })]
    [InlineData("AQIDBA", new byte[] { 1, 2, 3, 4 })]
    public void Base64_decodes_with_or_without_padding(string value, byte[] expected)
    {
        GrpcMetadata.TryDecodeBase64(value, out var bytes).Should().BeTrue();
        bytes.Should().Equal(expected);
    }
}
