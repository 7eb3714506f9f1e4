using IdentitySharing.GrpcServer.Tests.Conformance.V1;
using IdentitySharing.GrpcServer.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace IdentitySharing.GrpcServer.Tests;

public sealed class ShutdownTests
{
    [Fact]
    public async Task After_stopping_begins_new_calls_are_UNAVAILABLE_and_in_flight_calls_complete()
    {
        await using var server = await ConformanceServer.StartAsync();
        using var client = new GrpcTestClient(server.Address);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cancel.CancelAfter(GrpcTestClient.CallTimeout);

        // An in-flight duplex call, proven running by its first answer.
        var content = new StreamingRequestContent();
        using var request = GrpcTestClient.CreateRequest("/conformance.v1.ConformanceService/FullDuplexCall", content);
        await content.SendAsync(GrpcFrames.Frame(new StreamingOutputCallRequest { ResponseSizes = { 1 } }));
        using var inFlight = await client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        var stream = await inFlight.Content.ReadAsStreamAsync(cancel.Token);
        (await GrpcFrames.ReadAsync(stream, cancel.Token)).Should().NotBeNull();

        // Signal shutdown without stopping Kestrel: the state between ApplicationStopping and the server stop.
        server.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var newCall = await client.UnaryAsync("/conformance.v1.ConformanceService/EmptyCall", new Empty());

        await content.SendAsync(GrpcFrames.Frame(new StreamingOutputCallRequest { ResponseSizes = { 2 } }));
        var drained = await GrpcFrames.ReadAsync(stream, cancel.Token);
        content.Complete();
        var end = await GrpcFrames.ReadAsync(stream, cancel.Token);

        newCall.Status.Should().Be(StatusCode.Unavailable);
        newCall.TrailersOnly.Should().BeTrue();
        StatusDetailsTests.ShouldCarryMatchingStatus(newCall, StatusCode.Unavailable);
        StreamingOutputCallResponse.Parser.ParseFrom(drained!.Payload).Payload.Length.Should().Be(2);
        end.Should().BeNull();
        GrpcTestResponse.Value(inFlight.TrailingHeaders, "grpc-status").Should().Be("0");
    }
}
