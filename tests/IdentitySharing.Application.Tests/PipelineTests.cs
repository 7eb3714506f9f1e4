using IdentitySharing.Application.Audit;
using IdentitySharing.Application.Behaviors;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.GenerateShareToken;
using IdentitySharing.Application.Idempotency;
using IdentitySharing.Application.ImportApplicant;
using IdentitySharing.Application.Ports;
using IdentitySharing.Application.ShareWithBanxa;
using IdentitySharing.Domain;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NSubstitute;
using NSubstitute.ExceptionExtensions;

namespace IdentitySharing.Application.Tests;

public sealed class PipelineTests : IDisposable
{
    private const string Token = "_act-do-not-log-me";
    private const string Email = "carol@example.com";
    private const string Mobile = "+447700900999";

    private readonly App _app = new();

    public void Dispose() => _app.Dispose();

    private string[] CommandLogLines() =>
        _app.Logs.Entries.Where(e => e.Category == LoggingBehavior<object, Result<object>>.LogCategory).Select(e => e.Text).ToArray();

    [Fact]
    public async Task Logs_the_command_name_and_outcome_of_a_success()
    {
        _app.Sumsub.ImportApplicantAsync(default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(Result<ImportedApplicant>.Success(new ImportedApplicant("id", null, null, null, null, null)));

        await _app.Send(new ImportApplicantCommand(Token, [], null, null, null, null));

        CommandLogLines().Should().ContainSingle().Which.Should().StartWith("ImportApplicantCommand succeeded in ");
        _app.Logs.Entries.Single(e => e.Text.StartsWith("ImportApplicantCommand", StringComparison.Ordinal)).Level
            .Should().Be(LogLevel.Debug, "the host's per-RPC line already reports a success at Information");
    }

    [Fact]
    public async Task Logs_a_validation_failure_too_so_logging_runs_outside_validation()
    {
        await _app.Send(new ShareWithBanxaCommand("", "ref", Email, Mobile, null, null));

        CommandLogLines().Should().ContainSingle().Which.Should().StartWith("ShareWithBanxaCommand failed: Validation INVALID_REQUEST in ");
        _app.Logs.Entries.Single(e => e.Text.StartsWith("ShareWithBanxaCommand", StringComparison.Ordinal)).Level.Should().Be(LogLevel.Warning);
    }

    [Fact]
    public async Task Logs_an_upstream_failure_by_kind_and_reason()
    {
        _app.Sumsub.GenerateShareTokenAsync(default!, default!, default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(Result<IssuedShareToken>.Failure(new Error(ErrorKind.RateLimited, "UPSTREAM_RATE_LIMITED", "Sumsub rate limit")));

        await _app.Send(new ShareWithBanxaCommand("abc", "ref", Email, Mobile, null, null));

        CommandLogLines().Should().ContainSingle().Which.Should().StartWith("ShareWithBanxaCommand failed: RateLimited UPSTREAM_RATE_LIMITED in ");
    }

    [Fact]
    public async Task Never_logs_share_tokens_emails_or_mobile_numbers_whatever_the_outcome()
    {
        _app.Sumsub.GenerateShareTokenAsync(default!, default!, default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(Result<IssuedShareToken>.Success(new IssuedShareToken(ShareToken.Create(Token), App.BanxaClientId)));
        _app.Banxa.ShareIdentityAsync(default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs(Result<IdentityReference>.Success(IdentityReference.Create("ref")));
        _app.Sumsub.ImportApplicantAsync(default!, default!, Arg.Any<CancellationToken>())
            .ThrowsAsyncForAnyArgs(new HttpRequestException($"failed https://upstream/import?shareToken={Token}"));

        await _app.Send(new ShareWithBanxaCommand("abc", "ref", Email, Mobile, null, null));
        await _app.Send(new ShareWithBanxaCommand("abc", "bad ref", Email, Mobile, null, null));
        await _app.Send(new GenerateShareTokenCommand("abc", "partner", 0, null, null));
        await _app.Send(new ImportApplicantCommand(Token + "\u0001", [], null, null, null, null));
        var import = () => _app.Send(new ImportApplicantCommand(Token, [], null, null, null, null));
        await import.Should().ThrowAsync<HttpRequestException>();

        _app.Logs.Entries.Should().HaveCountGreaterThanOrEqualTo(5);
        _app.Logs.Entries.Select(e => e.Text).Should().AllSatisfy(text =>
            text.Should().NotContainAny(Token, "do-not-log", "carol", "7700900999"));
    }

    [Fact]
    public async Task An_exception_propagates_unchanged_and_is_logged_by_type_only()
    {
        var failure = new InvalidOperationException("details that might be sensitive");
        _app.Sumsub.ImportApplicantAsync(default!, default!, Arg.Any<CancellationToken>()).ThrowsAsyncForAnyArgs(failure);

        var send = () => _app.Send(new ImportApplicantCommand("tok", [], null, null, null, null));

        (await send.Should().ThrowAsync<InvalidOperationException>()).Which.Should().BeSameAs(failure);
        CommandLogLines().Should().ContainSingle().Which.Should()
            .StartWith("ImportApplicantCommand threw System.InvalidOperationException after ").And.NotContain("sensitive");
    }

    [Fact]
    public async Task Cancellation_reaches_the_port_and_is_logged_as_cancelled()
    {
        using var cancellation = new CancellationTokenSource();
        _app.Sumsub.ImportApplicantAsync(default!, default!, Arg.Any<CancellationToken>())
            .ReturnsForAnyArgs<Task<Result<ImportedApplicant>>>(call =>
            {
                cancellation.Cancel(); // the caller gives up while the upstream call is running
                call.Arg<CancellationToken>().ThrowIfCancellationRequested();
                throw new InvalidOperationException("the token did not reach the port");
            });

        var send = () => _app.SendWith(new ImportApplicantCommand("tok", [], null, null, null, null), cancellation.Token);

        await send.Should().ThrowAsync<OperationCanceledException>();
        CommandLogLines().Should().ContainSingle().Which.Should().StartWith("ImportApplicantCommand cancelled after ");
    }

    [Fact]
    public async Task Validators_run_before_the_handler_and_only_once_when_AddApplication_is_called_twice()
    {
        using var app = new App(services => services.AddApplication());

        var result = await app.Send(new GenerateShareTokenCommand("", "partner", 0, null, null));

        result.ValidationViolations().Should().ContainSingle();
        using var scope = app.Services.CreateScope();
        scope.ServiceProvider.GetServices<IPipelineBehavior<GenerateShareTokenCommand, Result<ShareTokenGenerated>>>()
            .Select(b => b.GetType().GetGenericTypeDefinition())
            .Should().Equal(typeof(TracingBehavior<,>), typeof(LoggingBehavior<,>), typeof(ValidationBehavior<,>), typeof(IdempotencyBehavior<,>), typeof(AuditBehavior<,>));
    }

    [Fact]
    public void Registers_the_system_clock_only_when_no_clock_is_registered()
    {
        using var withoutClock = new ServiceCollection().AddApplication().BuildServiceProvider();
        withoutClock.GetRequiredService<TimeProvider>().Should().BeSameAs(TimeProvider.System);

        _app.Services.GetRequiredService<TimeProvider>().Should().BeSameAs(_app.Time);
    }

    [Fact]
    public void Every_command_has_its_handler_and_validator_registered()
    {
        using var scope = _app.Services.CreateScope();
        var services = scope.ServiceProvider;

        services.GetRequiredService<IRequestHandler<GenerateShareTokenCommand, Result<ShareTokenGenerated>>>().Should().BeOfType<GenerateShareTokenHandler>();
        services.GetRequiredService<IRequestHandler<ImportApplicantCommand, Result<ImportedApplicant>>>().Should().BeOfType<ImportApplicantHandler>();
        services.GetRequiredService<IRequestHandler<ShareWithBanxaCommand, Result<IdentityReference>>>().Should().BeOfType<ShareWithBanxaHandler>();
        services.GetServices<IValidator<GenerateShareTokenCommand>>().Should().ContainSingle().Which.Should().BeOfType<GenerateShareTokenValidator>();
        services.GetServices<IValidator<ImportApplicantCommand>>().Should().ContainSingle().Which.Should().BeOfType<ImportApplicantValidator>();
        services.GetServices<IValidator<ShareWithBanxaCommand>>().Should().ContainSingle().Which.Should().BeOfType<ShareWithBanxaValidator>();
    }
}
