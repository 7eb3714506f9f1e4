using System.Collections.Concurrent;
using IdentitySharing.Application.Common;
using IdentitySharing.Infrastructure.Http;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace IdentitySharing.Infrastructure.Resilience;

/// <summary>
/// The one place where upstream calls are timed out, paced, retried and circuit-broken. Per
/// attempt: the breaker for the upstream and account (open = fail fast, nothing sent), Sumsub
/// pacing, then the request with its attempt timeout. Around that, retries with jittered
/// exponential backoff where <see cref="UpstreamCall.Retry"/> allows. The caller's token bounds
/// everything: when it fires, the <see cref="OperationCanceledException"/> propagates.
/// </summary>
internal sealed class UpstreamResilience(ResilienceOptions options, SumsubPacer pacer)
{
    public const string CircuitOpenReason = "UPSTREAM_CIRCUIT_OPEN";
    private static readonly ResiliencePropertyKey<RetryMode> RetryModeKey = new("identitysharing.retry-mode");

    private readonly ConcurrentDictionary<(string Upstream, string Account), ResiliencePipeline<UpstreamAttempt>> _pipelines = new();

    /// <summary>
    /// Runs the call. <paramref name="createRequest"/> builds a fresh request per attempt (each
    /// attempt is signed anew). The result is the last attempt, or a fail-fast error when the
    /// circuit is open or the pacing budget is spent.
    /// </summary>
    public async Task<UpstreamAttempt> SendAsync(UpstreamCall call, HttpClient client, Func<HttpRequestMessage> createRequest, CancellationToken cancellationToken)
    {
        var pipeline = _pipelines.GetOrAdd((call.Upstream, call.Account), static (key, self) => self.Build(key.Upstream), this);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(RetryModeKey, call.Retry);
        try
        {
            var outcome = await pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) => Outcome.FromResult(await state.self.AttemptAsync(state.call, state.client, state.createRequest, ctx.CancellationToken).ConfigureAwait(false)),
                context,
                (self: this, call, client, createRequest)).ConfigureAwait(false);
            if (outcome.Exception is BrokenCircuitException broken)
            {
                return UpstreamAttempt.Failed(AttemptFailure.NotSent, CircuitOpen(call.Upstream, broken.RetryAfter ?? options.CircuitBreaker.BreakDuration));
            }
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async Task<UpstreamAttempt> AttemptAsync(UpstreamCall call, HttpClient client, Func<HttpRequestMessage> createRequest, CancellationToken cancellationToken)
    {
        if (call.Upstream == "sumsub" && await pacer.WaitForPermitAsync(call.Account, call.Method, cancellationToken).ConfigureAwait(false) is { } exhausted)
        {
            return UpstreamAttempt.Failed(AttemptFailure.Paced, exhausted);
        }
        using var request = createRequest();
        var timeout = call.Upstream == "sumsub" ? options.SumsubAttemptTimeout : options.BanxaAttemptTimeout;
        return await UpstreamHttp.SendOnceAsync(client, request, call.Upstream, timeout, cancellationToken).ConfigureAwait(false);
    }

    private ResiliencePipeline<UpstreamAttempt> Build(string upstream)
    {
        var retry = options.Retry;
        var breaker = options.CircuitBreaker;
        var builder = new ResiliencePipelineBuilder<UpstreamAttempt> { Name = "upstream-" + upstream };
        if (retry.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<UpstreamAttempt>
            {
                MaxRetryAttempts = retry.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = retry.BaseDelay,
                MaxDelay = retry.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { } attempt && ShouldRetry(attempt, args.Context.Properties.GetValue(RetryModeKey, RetryMode.UnsentOnly))),
                // A short Retry-After is honoured exactly; otherwise jittered backoff.
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result?.Response?.RetryAfter),
            });
        }
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<UpstreamAttempt>
        {
            FailureRatio = breaker.FailureRatio,
            MinimumThroughput = breaker.MinimumThroughput,
            SamplingDuration = breaker.SamplingDuration,
            BreakDuration = breaker.BreakDuration,
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result is { } attempt && IsUpstreamFailure(attempt)),
        });
        return builder.Build();
    }

    private bool ShouldRetry(UpstreamAttempt attempt, RetryMode mode) => attempt.Failure switch
    {
        AttemptFailure.NotSent => true,
        AttemptFailure.NoAnswer => mode == RetryMode.SafeToRepeat,
        AttemptFailure.None => mode == RetryMode.SafeToRepeat && IsRetryableAnswer(attempt),
        _ => false,
    };

    private bool IsRetryableAnswer(UpstreamAttempt attempt)
    {
        // An upstream asking for a longer pause gets it from the caller, not from a blocked call.
        if (attempt.Response?.RetryAfter > options.Retry.MaxRetryAfter)
        {
            return false;
        }
        return attempt.HttpStatus >= 500 || (attempt.HttpStatus == 429 && attempt.Response?.RetryAfter is not null);
    }

    /// <summary>What counts against the breaker: the upstream is down or broken, not the request.</summary>
    private static bool IsUpstreamFailure(UpstreamAttempt attempt) =>
        attempt.Failure is AttemptFailure.NotSent or AttemptFailure.NoAnswer || attempt.HttpStatus >= 500;

    private static Error CircuitOpen(string upstream, TimeSpan retryAfter) =>
        new(ErrorKind.Unavailable, CircuitOpenReason, $"{(upstream == "sumsub" ? "Sumsub" : "Banxa")} is failing; calls are paused for a short time.")
        {
            Upstream = new UpstreamFailure(upstream, null, null, null),
            RetryAfter = retryAfter > TimeSpan.Zero ? retryAfter : TimeSpan.FromSeconds(1),
        };
}
