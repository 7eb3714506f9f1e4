using IdentitySharing.GrpcServer.Tests.Conformance.V1;
using IdentitySharing.GrpcServer.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace IdentitySharing.GrpcServer.Tests;

/// <summary>Mapping a proto service checks every handler against the descriptor, failing at startup.</summary>
public sealed class MappingTests
{
    private static readonly Google.Protobuf.Reflection.ServiceDescriptor Unimplemented =
        ConformanceReflection.Descriptor.FindTypeByName<Google.Protobuf.Reflection.ServiceDescriptor>("UnimplementedService");

    [Fact]
    public async Task A_proto_method_without_a_handler_fails_mapping_naming_it()
    {
        await using var app = CreateApp();

        var map = () => app.MapGrpcService(ConformanceService.Descriptor, service => service
            .Unary<Empty, Empty>("EmptyCall", (_, _) => Task.FromResult(new Empty())));

        map.Should().Throw<InvalidOperationException>()
            .WithMessage("*conformance.v1.ConformanceService*UnaryCall*StreamingOutputCall*FullDuplexCall*");
    }

    [Fact]
    public async Task A_handler_for_no_such_method_fails_mapping()
    {
        await using var app = CreateApp();

        var map = () => app.MapGrpcService(Unimplemented, service => service
            .Unary<Empty, Empty>("Missing", (_, _) => Task.FromResult(new Empty())));

        map.Should().Throw<InvalidOperationException>().WithMessage("*has no method 'Missing'*");
    }

    [Fact]
    public async Task A_handler_of_the_wrong_streaming_kind_fails_mapping()
    {
        await using var app = CreateApp();

        var map = () => app.MapGrpcService(ConformanceService.Descriptor, service => service
            .Unary<StreamingOutputCallRequest, StreamingOutputCallResponse>("StreamingOutputCall", (_, _) => Task.FromResult(new StreamingOutputCallResponse())));

        map.Should().Throw<InvalidOperationException>().WithMessage("*StreamingOutputCall*is ServerStreaming*Unary*");
    }

    [Fact]
    public async Task A_handler_with_the_wrong_message_types_fails_mapping()
    {
        await using var app = CreateApp();

        var map = () => app.MapGrpcService(Unimplemented, service => service
            .Unary<SimpleRequest, Empty>("UnimplementedCall", (_, _) => Task.FromResult(new Empty())));

        map.Should().Throw<InvalidOperationException>().WithMessage("*request type 'conformance.v1.Empty', not 'conformance.v1.SimpleRequest'*");
    }

    [Fact]
    public async Task Mapping_a_service_twice_fails()
    {
        await using var app = CreateApp();
        app.MapGrpcService(Unimplemented, MapUnimplemented);

        var mapAgain = () => app.MapGrpcService(Unimplemented, MapUnimplemented);

        mapAgain.Should().Throw<InvalidOperationException>().WithMessage("*already mapped*");
    }

    [Fact]
    public async Task Mapping_without_AddGrpcServer_fails_with_a_hint()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        await using var app = builder.Build();

        var map = () => app.MapGrpcService(Unimplemented, MapUnimplemented);

        map.Should().Throw<InvalidOperationException>().WithMessage("*AddGrpcServer*");
    }

    [Fact]
    public async Task The_registry_lists_mapped_services_in_order()
    {
        await using var app = CreateApp();
        new ConformanceService().Map(app);
        app.MapGrpcService(Unimplemented, MapUnimplemented);

        var registry = app.Services.GetRequiredService<GrpcServiceRegistry>();

        registry.Services.Select(s => s.FullName).Should().Equal("conformance.v1.ConformanceService", "conformance.v1.UnimplementedService");
    }

    private static void MapUnimplemented(GrpcServiceBuilder service) =>
        service.Unary<Empty, Empty>("UnimplementedCall", (_, _) => Task.FromResult(new Empty()));

    private static WebApplication CreateApp()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        builder.Services.AddLogging();
        builder.Services.AddGrpcServer();
        return builder.Build();
    }
}
