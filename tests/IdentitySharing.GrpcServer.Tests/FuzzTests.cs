using System.Net;
using Google.Protobuf;
using IdentitySharing.GrpcServer.Tests.Conformance.V1;
using IdentitySharing.GrpcServer.Tests.Support;

namespace IdentitySharing.GrpcServer.Tests;

/// <summary>Thousands of mutated frames (fixed seed, so failures reproduce): every answer is a well-formed gRPC response.</summary>
public sealed class FuzzTests(ConformanceServer server) : IClassFixture<ConformanceServer>, IDisposable
{
    private const int Iterations = 3_000;
    private const int Parallelism = 8;
    private const string UnaryCall = "/conformance.v1.ConformanceService/UnaryCall";
    private const string DuplexCall = "/conformance.v1.ConformanceService/FullDuplexCall";

    private readonly GrpcTestClient _client = new(server.Address);

    public void Dispose() => _client.Dispose();

    [Fact]
    public async Task Mutated_frames_always_get_a_well_formed_status_and_the_server_keeps_serving()
    {
        var random = new Random(20261122);
        var valid = GrpcFrames.Frame(new SimpleRequest { ResponseSize = 16, Payload = ByteString.CopyFrom(new byte[64]) });
        var cases = Enumerable.Range(0, Iterations).Select(_ => Mutate(random, valid)).ToList();

        var failures = new List<string>();
        for (var start = 0; start < cases.Count; start += Parallelism)
        {
            var batch = cases.Skip(start).Take(Parallelism).Select(CheckAsync);
            failures.AddRange((await Task.WhenAll(batch)).OfType<string>());
        }

        failures.Should().BeEmpty();
        var followUp = await _client.UnaryAsync(UnaryCall, new SimpleRequest { ResponseSize = 5 });
        followUp.Status.Should().Be(StatusCode.OK);
    }

    private async Task<string?> CheckAsync(FuzzCase fuzzCase)
    {
        var response = await _client.SendAsync(fuzzCase.Path, fuzzCase.Body, fuzzCase.Headers);
        if (response.HttpStatus != HttpStatusCode.OK || response.Status is not { } status || status is < StatusCode.OK or > StatusCode.Unauthenticated)
        {
            return $"{fuzzCase.Describe()}: HTTP {(int)response.HttpStatus}, grpc-status {response.Status}";
        }

        try
        {
            _ = response.Frames;
        }
        catch (FormatException exception)
        {
            return $"{fuzzCase.Describe()}: {exception.Message}";
        }

        return null;
    }

    private static FuzzCase Mutate(Random random, byte[] valid)
    {
        var body = valid.ToList();
        var mutations = random.Next(1, 4);
        for (var i = 0; i < mutations; i++)
        {
            switch (random.Next(7))
            {
                case 0 when body.Count > 0:
                    body[random.Next(body.Count)] = (byte)random.Next(256);
                    break;
                case 1 when body.Count > 0:
                    body.RemoveAt(random.Next(body.Count));
                    break;
                case 2:
                    body = body.Take(random.Next(body.Count + 1)).ToList();
                    break;
                case 3:
                    body.AddRange(RandomBytes(random, random.Next(1, 40)));
                    break;
                case 4 when body.Count >= 5:
                    // A declared length anywhere from tiny to 4 GiB.
                    var length = (uint)random.NextInt64(0, uint.MaxValue);
                    body[1] = (byte)(length >> 24);
                    body[2] = (byte)(length >> 16);
                    body[3] = (byte)(length >> 8);
                    body[4] = (byte)length;
                    break;
                case 5:
                    body.AddRange(valid);
                    break;
                default:
                    if (body.Count > 0)
                    {
                        body[0] = (byte)random.Next(3);
                    }

                    break;
            }
        }

        List<KeyValuePair<string, string>> headers = random.Next(4) switch
        {
            0 => [new("grpc-encoding", "gzip")],
            1 => [new("grpc-timeout", random.Next(2) == 0 ? "5S" : "x9")],
            _ => [],
        };
        var path = random.Next(5) == 0 ? DuplexCall : UnaryCall;
        return new FuzzCase(path, [.. body], headers);
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private sealed record FuzzCase(string Path, byte[] Body, List<KeyValuePair<string, string>> Headers)
    {
        public string Describe() => $"{Path} [{Convert.ToHexString(Body.AsSpan(0, Math.Min(Body.Length, 32)))}] {string.Join(",", Headers)}";
    }
}
