using Google.Protobuf;
using Google.Protobuf.Reflection;
using IdentitySharing.GrpcServer.Reflection.V1;

namespace IdentitySharing.GrpcServer.Reflection;

/// <summary>
/// Answers gRPC server reflection requests (grpc/grpc doc/server-reflection.md) from the
/// descriptors of the mapped services: a pure request → response function, no I/O.
/// Files are returned with all their transitive dependencies, well-known types included,
/// so a client with no local schema can build every message type it meets.
/// </summary>
public sealed class ServerReflectionResolver
{
    private readonly IReadOnlyList<string> _serviceNames;
    private readonly Dictionary<string, FileDescriptor> _filesByName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileDescriptor> _filesBySymbol = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MessageDescriptor> _messagesByName = new(StringComparer.Ordinal);
    private readonly Dictionary<(string ContainingType, int Number), FieldDescriptor> _extensions = [];

    public ServerReflectionResolver(IEnumerable<ServiceDescriptor> services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var serviceList = services.DistinctBy(service => service.FullName).ToList();
        _serviceNames = serviceList.Select(service => service.FullName).Order(StringComparer.Ordinal).ToList();
        foreach (var service in serviceList)
        {
            IndexFile(service.File);
        }
    }

    /// <summary>Full names of the services a <c>list_services</c> request reports.</summary>
    public IReadOnlyList<string> ServiceNames => _serviceNames;

    public ServerReflectionResponse Answer(ServerReflectionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var response = new ServerReflectionResponse
        {
            ValidHost = request.Host,
            OriginalRequest = request.Clone(),
        };
        switch (request.MessageRequestCase)
        {
            case ServerReflectionRequest.MessageRequestOneofCase.ListServices:
                response.ListServicesResponse = ListServices();
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileByFilename:
                SetFileOrError(response, _filesByName.GetValueOrDefault(request.FileByFilename),
                    $"File not found: {request.FileByFilename}");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingSymbol:
                SetFileOrError(response, FindFileContainingSymbol(request.FileContainingSymbol),
                    $"Symbol not found: {request.FileContainingSymbol}");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.FileContainingExtension:
                var extension = request.FileContainingExtension;
                SetFileOrError(response,
                    _extensions.GetValueOrDefault((extension.ContainingType, extension.ExtensionNumber))?.File,
                    $"Extension not found: {extension.ContainingType} field {extension.ExtensionNumber}");
                break;
            case ServerReflectionRequest.MessageRequestOneofCase.AllExtensionNumbersOfType:
                SetExtensionNumbersOrError(response, request.AllExtensionNumbersOfType);
                break;
            default:
                response.ErrorResponse = Error(StatusCode.InvalidArgument, "The request names no reflection query.");
                break;
        }

        return response;
    }

    private ListServiceResponse ListServices()
    {
        var list = new ListServiceResponse();
        list.Service.AddRange(_serviceNames.Select(name => new ServiceResponse { Name = name }));
        return list;
    }

    private FileDescriptor? FindFileContainingSymbol(string symbol)
    {
        if (_filesBySymbol.TryGetValue(symbol, out var file))
        {
            return file;
        }

        // A field, enum value or other member: its file is its parent's.
        var lastDot = symbol.LastIndexOf('.');
        return lastDot > 0 && _filesBySymbol.TryGetValue(symbol[..lastDot], out file) ? file : null;
    }

    private void SetExtensionNumbersOrError(ServerReflectionResponse response, string typeName)
    {
        if (!_messagesByName.ContainsKey(typeName))
        {
            response.ErrorResponse = Error(StatusCode.NotFound, $"Type not found: {typeName}");
            return;
        }

        var numbers = new ExtensionNumberResponse { BaseTypeName = typeName };
        numbers.ExtensionNumber.AddRange(_extensions.Keys
            .Where(key => key.ContainingType == typeName)
            .Select(key => key.Number)
            .Order());
        response.AllExtensionNumbersResponse = numbers;
    }

    private static void SetFileOrError(ServerReflectionResponse response, FileDescriptor? file, string notFoundMessage)
    {
        if (file is null)
        {
            response.ErrorResponse = Error(StatusCode.NotFound, notFoundMessage);
            return;
        }

        var files = new FileDescriptorResponse();
        files.FileDescriptorProto.AddRange(WithTransitiveDependencies(file).Select(descriptor => descriptor.SerializedData));
        response.FileDescriptorResponse = files;
    }

    /// <summary>The file first, then every file it imports, each once (breadth first).</summary>
    private static IEnumerable<FileDescriptor> WithTransitiveDependencies(FileDescriptor file)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { file.Name };
        var pending = new Queue<FileDescriptor>();
        pending.Enqueue(file);
        while (pending.TryDequeue(out var current))
        {
            yield return current;
            foreach (var dependency in current.Dependencies)
            {
                if (seen.Add(dependency.Name))
                {
                    pending.Enqueue(dependency);
                }
            }
        }
    }

    private static ErrorResponse Error(StatusCode code, string message) =>
        new() { ErrorCode = (int)code, ErrorMessage = message };

    private void IndexFile(FileDescriptor file)
    {
        if (!_filesByName.TryAdd(file.Name, file))
        {
            return;
        }

        foreach (var service in file.Services)
        {
            _filesBySymbol.TryAdd(service.FullName, file);
            foreach (var method in service.Methods)
            {
                _filesBySymbol.TryAdd(method.FullName, file);
            }
        }

        foreach (var message in file.MessageTypes)
        {
            IndexMessage(file, message);
        }

        foreach (var enumType in file.EnumTypes)
        {
            _filesBySymbol.TryAdd(enumType.FullName, file);
        }

        IndexExtensions(file.Extensions.UnorderedExtensions);
        foreach (var dependency in file.Dependencies)
        {
            IndexFile(dependency);
        }
    }

    private void IndexMessage(FileDescriptor file, MessageDescriptor message)
    {
        _filesBySymbol.TryAdd(message.FullName, file);
        _messagesByName.TryAdd(message.FullName, message);
        foreach (var nested in message.NestedTypes)
        {
            IndexMessage(file, nested);
        }

        foreach (var enumType in message.EnumTypes)
        {
            _filesBySymbol.TryAdd(enumType.FullName, file);
        }

        IndexExtensions(message.Extensions.UnorderedExtensions);
    }

    private void IndexExtensions(IEnumerable<FieldDescriptor> extensions)
    {
        foreach (var extension in extensions)
        {
            _filesBySymbol.TryAdd(extension.FullName, extension.File);
            _extensions.TryAdd((extension.ExtendeeType.FullName, extension.FieldNumber), extension);
        }
    }
}
