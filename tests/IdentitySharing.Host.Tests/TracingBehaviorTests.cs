using System.Collections.Concurrent;
using System.Diagnostics;
using IdentitySharing.Application.Behaviors;
using IdentitySharing.Application.Common;

namespace IdentitySharing.Host.Tests;

/// <summary>The command span: named after the command, marked failed with the error's kind and reason only.</summary>
public sealed class TracingBehaviorTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;

    public TracingBehaviorTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == IdentitySharingTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    public sealed record ProbeCommand(string Secret);

    [Fact]
    public async Task A_failed_command_gets_an_error_span_with_kind_and_reason_but_no_field_values()
    {
        var behavior = new TracingBehavior<ProbeCommand, Result<string>>();
        var error = new Error(ErrorKind.NotFound, "APPLICANT_NOT_FOUND", "Applicant not found");

        var result = await behavior.Handle(new ProbeCommand("tracing-probe-secret"), CancellationToken.None, () => Task.FromResult<Result<string>>(error));

        result.Error.Should().Be(error);
        var span = _stopped.Should().ContainSingle(a => a.OperationName == nameof(ProbeCommand)).Subject;
        span.Status.Should().Be(ActivityStatusCode.Error);
        span.GetTagItem("identitysharing.error.kind").Should().Be("NotFound");
        span.GetTagItem("identitysharing.error.reason").Should().Be("APPLICANT_NOT_FOUND");
        string.Join("|", span.TagObjects.Select(tag => tag.Value)).Should().NotContain("tracing-probe-secret");
    }

    [Fact]
    public async Task A_successful_command_gets_a_span_left_unset()
    {
        var behavior = new TracingBehavior<ProbeCommand, Result<string>>();

        await behavior.Handle(new ProbeCommand("x"), CancellationToken.None, () => Task.FromResult(Result<string>.Success("ok")));

        _stopped.Should().ContainSingle(a => a.OperationName == nameof(ProbeCommand)).Which.Status.Should().Be(ActivityStatusCode.Unset);
    }
}
