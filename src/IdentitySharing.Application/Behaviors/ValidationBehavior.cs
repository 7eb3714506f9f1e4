using IdentitySharing.Application.Common;
using MediatR;

namespace IdentitySharing.Application.Behaviors;

/// <summary>
/// Runs the command's validators before its handler. Any violation ends the request with one
/// <see cref="ErrorKind.Validation"/> error listing every bad field; the handler (and so every
/// upstream) is never reached.
/// </summary>
public sealed class ValidationBehavior<TRequest, TResponse>(IEnumerable<IValidator<TRequest>> validators)
    : IPipelineBehavior<TRequest, TResponse>
    where TResponse : IResultFactory<TResponse>
{
    public Task<TResponse> Handle(TRequest request, CancellationToken cancellationToken, RequestHandlerDelegate<TResponse> next)
    {
        ArgumentNullException.ThrowIfNull(next);
        var violations = validators.SelectMany(validator => validator.Validate(request)).ToArray();
        return violations.Length == 0
            ? next()
            : Task.FromResult(TResponse.Failure(Error.Validation(violations)));
    }
}
