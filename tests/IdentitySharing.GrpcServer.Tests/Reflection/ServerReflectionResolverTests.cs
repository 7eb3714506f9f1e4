using Google.Protobuf.Reflection;
using IdentitySharing.GrpcServer.Health.V1;
using IdentitySharing.GrpcServer.Reflection;
using IdentitySharing.GrpcServer.Reflection.V1;
using IdentitySharing.GrpcServer.Tests.ReflectionTest.V1;

namespace IdentitySharing.GrpcServer.Tests.Reflection;

public sealed class ServerReflectionResolverTests
{
    private static readonly ServiceDescriptor ProbeService = ProbeReflection.Descriptor.Services.Single();

    private readonly ServerReflectionResolver _resolver = new(
    [
        ProbeService,
        HealthReflection.Descriptor.Services.Single(),
        ReflectionReflection.Descriptor.Services.Single(),
    ]);

    [Fact]
    public void List_services_names_every_service_once_and_echoes_the_request()
    {
        var request = new ServerReflectionRequest { Host = "localhost", ListServices = "*" };

        var response = _resolver.Answer(request);

        response.ListServicesResponse.Service.Select(service => service.Name).Should().BeEquivalentTo(
            "reflectiontest.v1.ProbeService", "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection");
        response.ValidHost.Should().Be("localhost");
        response.OriginalRequest.Should().Be(request);
    }

    [Fact]
    public void Duplicate_services_are_listed_once()
    {
        var resolver = new ServerReflectionResolver([ProbeService, ProbeService]);

        resolver.ServiceNames.Should().Equal("reflectiontest.v1.ProbeService");
    }

    [Fact]
    public void File_by_filename_returns_the_file_first_then_all_transitive_dependencies_once()
    {
        var files = FileNames(_resolver.Answer(new ServerReflectionRequest { FileByFilename = "reflectiontest/v1/probe.proto" }));

        files[0].Should().Be("reflectiontest/v1/probe.proto");
        files.Should().BeEquivalentTo(
            "reflectiontest/v1/probe.proto",
            "google/protobuf/descriptor.proto",
            "google/protobuf/empty.proto",
            "reflectiontest/v1/shared.proto",
            "google/protobuf/timestamp.proto");
    }

    [Fact]
    public void Returned_files_parse_and_describe_what_the_server_compiled()
    {
        var response = _resolver.Answer(new ServerReflectionRequest { FileByFilename = "reflectiontest/v1/probe.proto" });

        var probe = FileDescriptorProto.Parser.ParseFrom(response.FileDescriptorResponse.FileDescriptorProto[0]);

        probe.Package.Should().Be("reflectiontest.v1");
        probe.Service.Single().Method.Select(method => method.Name).Should().Equal("Probe", "Ping");
        probe.Dependency.Should().Contain("reflectiontest/v1/shared.proto");
    }

    [Theory]
    [InlineData("reflectiontest.v1.ProbeService", "reflectiontest/v1/probe.proto")]
    [InlineData("reflectiontest.v1.ProbeService.Probe", "reflectiontest/v1/probe.proto")]
    [InlineData("reflectiontest.v1.ProbeRequest", "reflectiontest/v1/probe.proto")]
    [InlineData("reflectiontest.v1.ProbeRequest.Inner", "reflectiontest/v1/probe.proto")]
    [InlineData("reflectiontest.v1.ProbeRequest.Inner.Depth", "reflectiontest/v1/probe.proto")]
    [InlineData("reflectiontest.v1.ProbeRequest.colour", "reflectiontest/v1/probe.proto")]
    [InlineData("reflectiontest.v1.Colour", "reflectiontest/v1/probe.proto")]
    [InlineData("reflectiontest.v1.probe_label", "reflectiontest/v1/probe.proto")]
    [InlineData("reflectiontest.v1.Stamp", "reflectiontest/v1/shared.proto")]
    [InlineData("google.protobuf.Timestamp", "google/protobuf/timestamp.proto")]
    [InlineData("grpc.health.v1.Health.Watch", "grpc/health/v1/health.proto")]
    [InlineData("grpc.health.v1.HealthCheckResponse.ServingStatus", "grpc/health/v1/health.proto")]
    public void File_containing_symbol_finds_the_declaring_file(string symbol, string expectedFile)
    {
        var files = FileNames(_resolver.Answer(new ServerReflectionRequest { FileContainingSymbol = symbol }));

        files[0].Should().Be(expectedFile);
    }

    [Theory]
    [InlineData("reflectiontest.v1.NoSuchMessage")]
    [InlineData("reflectiontest")]
    [InlineData("")]
    public void Unknown_symbol_is_a_not_found_error_response(string symbol)
    {
        var response = _resolver.Answer(new ServerReflectionRequest { FileContainingSymbol = symbol });

        response.MessageResponseCase.Should().Be(ServerReflectionResponse.MessageResponseOneofCase.ErrorResponse);
        response.ErrorResponse.ErrorCode.Should().Be((int)StatusCode.NotFound);
    }

    [Fact]
    public void Unknown_file_is_a_not_found_error_response()
    {
        var response = _resolver.Answer(new ServerReflectionRequest { FileByFilename = "nope/none.proto" });

        response.ErrorResponse.ErrorCode.Should().Be((int)StatusCode.NotFound);
        response.ErrorResponse.ErrorMessage.Should().Contain("nope/none.proto");
    }

    [Fact]
    public void File_containing_extension_finds_the_extending_file()
    {
        var request = new ServerReflectionRequest
        {
            FileContainingExtension = new ExtensionRequest { ContainingType = "google.protobuf.FieldOptions", ExtensionNumber = 50102 },
        };

        FileNames(_resolver.Answer(request))[0].Should().Be("reflectiontest/v1/probe.proto");
    }

    [Fact]
    public void Unknown_extension_is_a_not_found_error_response()
    {
        var request = new ServerReflectionRequest
        {
            FileContainingExtension = new ExtensionRequest { ContainingType = "google.protobuf.FieldOptions", ExtensionNumber = 7 },
        };

        _resolver.Answer(request).ErrorResponse.ErrorCode.Should().Be((int)StatusCode.NotFound);
    }

    [Fact]
    public void All_extension_numbers_of_type_lists_known_extensions()
    {
        var response = _resolver.Answer(new ServerReflectionRequest { AllExtensionNumbersOfType = "google.protobuf.MessageOptions" });

        response.AllExtensionNumbersResponse.BaseTypeName.Should().Be("google.protobuf.MessageOptions");
        response.AllExtensionNumbersResponse.ExtensionNumber.Should().Equal(50101);
    }

    [Fact]
    public void All_extension_numbers_of_a_type_without_extensions_is_an_empty_list()
    {
        var response = _resolver.Answer(new ServerReflectionRequest { AllExtensionNumbersOfType = "reflectiontest.v1.ProbeResponse" });

        response.MessageResponseCase.Should().Be(ServerReflectionResponse.MessageResponseOneofCase.AllExtensionNumbersResponse);
        response.AllExtensionNumbersResponse.ExtensionNumber.Should().BeEmpty();
    }

    [Fact]
    public void All_extension_numbers_of_an_unknown_type_is_a_not_found_error_response()
    {
        var response = _resolver.Answer(new ServerReflectionRequest { AllExtensionNumbersOfType = "no.Such" });

        response.ErrorResponse.ErrorCode.Should().Be((int)StatusCode.NotFound);
    }

    [Fact]
    public void A_request_without_a_query_is_an_invalid_argument_error_response()
    {
        var response = _resolver.Answer(new ServerReflectionRequest { Host = "h" });

        response.ErrorResponse.ErrorCode.Should().Be((int)StatusCode.InvalidArgument);
    }

    private static List<string> FileNames(ServerReflectionResponse response)
    {
        response.MessageResponseCase.Should().Be(ServerReflectionResponse.MessageResponseOneofCase.FileDescriptorResponse,
            because: response.ErrorResponse?.ErrorMessage);
        return response.FileDescriptorResponse.FileDescriptorProto
            .Select(bytes => FileDescriptorProto.Parser.ParseFrom(bytes).Name)
            .ToList();
    }
}
