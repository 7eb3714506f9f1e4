using System.Diagnostics;
using IdentitySharing.Application.Common;
using MediatR;

namespace IdentitySharing.Application.Behaviors;

/// <summary>
/// One span per command, a child of the RPC's server span, so a trace shows validation and the
/// upstream calls under the command that made them. Only the error's kind and reason are
/// recorded: commands carry share tokens, emails and phone numbers.
/// </summary>
public sealed class TracingBehavior<TRequest, TResponse> : IPipelineBehavior<TRequest, TResponse>
    where TResponse : IResultOutcome
{
    public async Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        using var activity = IdentitySharingTelemetry.ActivitySource.StartActivity(typeof(TRequest).Name);
        if (activity is null)
        {
            return await next().ConfigureAwait(false);
        }

        try
        {
            var response = await next().ConfigureAwait(false);
            if (response.Error is { } error)
            {
                activity.SetTag("identitysharing.error.kind", error.Kind.ToString());
                activity.SetTag("identitysharing.error.reason", error.Reason);
                activity.SetStatus(ActivityStatusCode.Error, error.Reason);
            }
            return response;
        }
        catch (Exception exception)
        {
            // The type only: messages of HTTP failures can quote URLs with tokens.
            activity.SetTag("error.type", exception.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error);
            throw;
        }
    }
}
