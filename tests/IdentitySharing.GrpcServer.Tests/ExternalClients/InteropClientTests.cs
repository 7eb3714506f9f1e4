using System.Text.Json;
using IdentitySharing.GrpcServer.Tests.Support;

namespace IdentitySharing.GrpcServer.Tests.ExternalClients;

/// <summary>
/// The grpc interop cases as real clients nobody here wrote see them. Each derived class runs its
/// client once (in its fixture) and every test judges one case of that run.
/// </summary>
public abstract class InteropClientTests<TRun>(TRun run) : IClassFixture<TRun>
    where TRun : InteropClientRun
{
    private const string SpecialStatusMessage = "\t\ntest with whitespace\r\nand Unicode BMP \u263A and non-BMP \U0001F608\t\n";

    [Fact]
    public void Empty_unary_succeeds()
    {
        ShouldHaveCode(run.Case("empty_unary"), StatusCode.OK);
    }

    [Fact]
    public void Large_unary_carries_271828_bytes_in_and_314159_bytes_out()
    {
        var observed = run.Case("large_unary");

        ShouldHaveCode(observed, StatusCode.OK);
        observed.GetProperty("server_received_payload_size").GetInt32().Should().Be(271828);
        observed.GetProperty("response_payload_size").GetInt32().Should().Be(314159);
    }

    [Fact]
    public void Client_compressed_unary_reaches_the_server_compressed()
    {
        var observed = run.Case("client_compressed_unary");

        ShouldHaveCode(observed, StatusCode.OK);
        observed.GetProperty("server_received_compressed").GetBoolean().Should().BeTrue();
        observed.GetProperty("server_received_payload_size").GetInt32().Should().Be(271828);
    }

    [Fact]
    public void Server_compressed_unary_is_decompressed_by_the_client()
    {
        var observed = run.Case("server_compressed_unary");

        ShouldHaveCode(observed, StatusCode.OK);
        observed.GetProperty("response_payload_size").GetInt32().Should().Be(314159);
    }

    [Fact]
    public void Custom_metadata_echoes_the_initial_header_and_the_binary_trailer()
    {
        var observed = run.Case("custom_metadata");

        ShouldHaveCode(observed, StatusCode.OK);
        observed.GetProperty("initial_value").GetString().Should().Be("test_initial_metadata_value");
        observed.GetProperty("trailing_bin_hex").GetString().Should().Be("ababab");
    }

    [Fact]
    public void Status_code_and_message_reach_the_client()
    {
        var observed = run.Case("status_code_and_message");

        ShouldHaveCode(observed, StatusCode.Unknown);
        observed.GetProperty("details").GetString().Should().Be("test status message");
    }

    [Fact]
    public void Special_status_message_round_trips_exactly()
    {
        var observed = run.Case("special_status_message");

        ShouldHaveCode(observed, StatusCode.Unknown);
        observed.GetProperty("details").GetString().Should().Be(SpecialStatusMessage);
    }

    [Fact]
    public void Unimplemented_method_is_unimplemented()
    {
        ShouldHaveCode(run.Case("unimplemented_method"), StatusCode.Unimplemented);
    }

    [Fact]
    public void Unimplemented_service_is_unimplemented()
    {
        ShouldHaveCode(run.Case("unimplemented_service"), StatusCode.Unimplemented);
    }

    [Fact]
    public void Short_deadline_against_a_slow_handler_is_deadline_exceeded()
    {
        ShouldHaveCode(run.Case("deadline_exceeded"), StatusCode.DeadlineExceeded);
    }

    [Fact]
    public void Handler_exception_is_unknown_without_its_message()
    {
        var observed = run.Case("handler_exception");

        ShouldHaveCode(observed, StatusCode.Unknown);
        observed.GetProperty("details").GetString().Should().NotContain(ConformanceService.ThrownExceptionMessage);
    }

    [Fact]
    public void Client_cancellation_cancels_the_handler()
    {
        var observed = run.Case("cancellation");

        ((StatusCode)observed.GetProperty("client_code").GetInt32()).Should().Be(StatusCode.Cancelled);
        observed.GetProperty("server_saw_cancellation").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public void Server_streaming_delivers_every_response_in_order()
    {
        var observed = run.Case("server_streaming");

        ShouldHaveCode(observed, StatusCode.OK);
        SizesOf(observed).Should().Equal(31415, 9, 2653, 58979);
    }

    [Fact]
    public void Bidi_streaming_ping_pong_answers_each_request()
    {
        var observed = run.Case("bidi_streaming");

        ShouldHaveCode(observed, StatusCode.OK);
        SizesOf(observed).Should().Equal(31415, 9, 2653, 58979);
    }

    [Fact]
    public void Health_check_of_the_server_is_serving()
    {
        var observed = run.Case("health_check");

        ShouldHaveCode(observed, StatusCode.OK);
        observed.GetProperty("serving_status").GetString().Should().Be("SERVING");
    }

    [Fact]
    public void Health_check_of_an_unknown_service_is_not_found()
    {
        ShouldHaveCode(run.Case("health_check_unknown_service"), StatusCode.NotFound);
    }

    private static void ShouldHaveCode(JsonElement observed, StatusCode expected) =>
        ((StatusCode)observed.GetProperty("code").GetInt32()).Should().Be(expected, observed.ToString());

    private static IEnumerable<int> SizesOf(JsonElement observed) =>
        observed.GetProperty("response_sizes").EnumerateArray().Select(size => size.GetInt32());
}

public sealed class NodeGrpcJsClientTests(NodeClientRun run) : InteropClientTests<NodeClientRun>(run);

public sealed class PythonGrpcioClientTests(PythonClientRun run) : InteropClientTests<PythonClientRun>(run);
