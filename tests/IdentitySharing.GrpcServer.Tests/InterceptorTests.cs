using System.Collections.Concurrent;
using IdentitySharing.GrpcServer.Tests.Conformance.V1;
using IdentitySharing.GrpcServer.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IdentitySharing.GrpcServer.Tests;

public sealed class InterceptorTests : IAsyncLifetime
{
    private const string Service = "/conformance.v1.ConformanceService/";
    private ConformanceServer _server = null!;
    private GrpcTestClient _client = null!;

    private CallJournal Journal => _server.Services.GetRequiredService<CallJournal>();

    public async ValueTask InitializeAsync()
    {
        _server = await ConformanceServer.StartAsync(configureServices: services => services
            .AddSingleton<CallJournal>()
            .AddGrpcInterceptor<LoggingInterceptor>()
            .AddGrpcInterceptor<DenyingInterceptor>());
        _client = new GrpcTestClient(_server.Address);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Interceptors_wrap_the_call_in_registration_order_and_see_the_context()
    {
        var response = await _client.UnaryAsync(Service + "EmptyCall", new Empty(), [new("x-request-tag", "tag-1")]);

        response.Status.Should().Be(StatusCode.OK);
        Journal.Entries.Should().Equal(
            $"logging> {Service}EmptyCall",
            "denying> tag-1",
            "denying< OK",
            "logging< OK");
        Journal.Peers.Should().ContainSingle().Which.Should().StartWith("ipv4:127.0.0.1:");
        Journal.HeaderNames.Should().Contain("x-request-tag").And.NotContain(["content-type", "te", ":path"]);
    }

    [Fact]
    public async Task An_interceptor_short_circuits_by_throwing_RpcException_and_outer_ones_see_the_status()
    {
        var response = await _client.UnaryAsync(Service + "EmptyCall", new Empty(), [new("x-deny", "1")]);

        response.Status.Should().Be(StatusCode.PermissionDenied);
        response.Message.Should().Be("denied by interceptor");
        Journal.Entries.Should().Equal($"logging> {Service}EmptyCall", "logging< PermissionDenied");
    }

    [Fact]
    public async Task Interceptors_observe_handler_exceptions_and_the_resulting_status()
    {
        var response = await _client.UnaryAsync(Service + "UnaryCall", new SimpleRequest { ThrowException = true });

        response.Status.Should().Be(StatusCode.Unknown);
        Journal.Exceptions.Should().ContainSingle().Which.Should().Be(nameof(InvalidOperationException));
        Journal.Entries.Should().EndWith("logging< Unknown");
    }

    private sealed class CallJournal
    {
        public ConcurrentQueue<string> Entries { get; } = new();

        public ConcurrentQueue<string> Peers { get; } = new();

        public ConcurrentQueue<string> HeaderNames { get; } = new();

        public ConcurrentQueue<string> Exceptions { get; } = new();
    }

    private sealed class LoggingInterceptor(CallJournal journal) : IGrpcInterceptor
    {
        public async ValueTask InterceptAsync(ServerCallContext context, Func<ServerCallContext, ValueTask> next)
        {
            journal.Entries.Enqueue($"logging> {context.Method}");
            try
            {
                await next(context);
            }
            catch (Exception exception) when (exception is not RpcException)
            {
                journal.Exceptions.Enqueue(exception.GetType().Name);
                throw;
            }
            finally
            {
                journal.Entries.Enqueue($"logging< {context.Status?.StatusCode}");
            }
        }
    }

    private sealed class DenyingInterceptor(CallJournal journal) : IGrpcInterceptor
    {
        public async ValueTask InterceptAsync(ServerCallContext context, Func<ServerCallContext, ValueTask> next)
        {
            if (context.GetRequestHeader("x-deny") is not null)
            {
                throw new RpcException(StatusCode.PermissionDenied, "denied by interceptor");
            }

            journal.Peers.Enqueue(context.Peer);
            foreach (var (name, _) in context.RequestHeaders)
            {
                journal.HeaderNames.Enqueue(name);
            }

            journal.Entries.Enqueue($"denying> {context.GetRequestHeader("x-request-tag")}");
            await next(context);
            journal.Entries.Enqueue($"denying< {context.Status?.StatusCode}");
        }
    }
}
