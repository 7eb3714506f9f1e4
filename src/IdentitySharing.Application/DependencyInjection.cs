using IdentitySharing.Application.Audit;
using IdentitySharing.Application.Behaviors;
using IdentitySharing.Application.Common;
using IdentitySharing.Application.GenerateShareToken;
using IdentitySharing.Application.Idempotency;
using IdentitySharing.Application.ImportApplicant;
using IdentitySharing.Application.ListShareEvents;
using IdentitySharing.Application.Ports;
using IdentitySharing.Application.ShareWithBanxa;
using IdentitySharing.Domain;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IdentitySharing.Application;

/// <summary>
/// Registers the application layer: MediatR's <see cref="IMediator"/>, the three use cases
/// (handler + validator each) and the pipeline behaviors.
/// <para>
/// Pipeline order, outermost first (MediatR runs behaviors in registration order):
/// <see cref="TracingBehavior{TRequest,TResponse}"/> (a span per command) →
/// <see cref="LoggingBehavior{TRequest,TResponse}"/> (name, duration, outcome; sees validation
/// failures too) → <see cref="ValidationBehavior{TRequest,TResponse}"/> (every bad field at once,
/// before any upstream call) → for the three share commands
/// <see cref="IdempotencyBehavior{TRequest,TValue}"/> (replays stored outcomes) →
/// <see cref="AuditBehavior{TRequest,TValue}"/> (one ledger event per action that ran) → the handler.
/// </para>
/// <para>
/// Expected failures (bad fields, unknown applicant, used token, upstream down) are
/// <see cref="Result{T}"/> values with a typed <see cref="Error"/>, not exceptions: they are
/// normal outcomes the host maps to gRPC statuses in one place, they cost no stack unwinding
/// under load, and a handler's signature says it can fail. Exceptions remain for bugs and
/// cancellation.
/// </para>
/// The ports (<see cref="ISumsubClient"/>, <see cref="IBanxaClient"/>, <see cref="ISumsubAccounts"/>,
/// <see cref="IBanxaSettings"/>, <see cref="IIdempotencyStore"/>, <see cref="IShareLedger"/>) come from the
/// infrastructure layer; <see cref="ICallerContext"/> from the host, per call. <see cref="TimeProvider.System"/>
/// is registered unless a clock already is.
/// </summary>
public static class DependencyInjection
{
    public static IServiceCollection AddApplication(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);

        // MediatR 5 has no DI package here: it resolves handlers and behaviors through this factory.
        services.TryAddTransient<ServiceFactory>(provider => provider.GetService);
        services.TryAddTransient<IMediator, Mediator>();

        // Registration order is pipeline order: tracing outermost (its span covers the rest), logging, then validation.
        services.TryAddEnumerable(ServiceDescriptor.Transient(typeof(IPipelineBehavior<,>), typeof(TracingBehavior<,>)));
        services.TryAddEnumerable(ServiceDescriptor.Transient(typeof(IPipelineBehavior<,>), typeof(LoggingBehavior<,>)));
        services.TryAddEnumerable(ServiceDescriptor.Transient(typeof(IPipelineBehavior<,>), typeof(ValidationBehavior<,>)));

        services.TryAddTransient<IRequestHandler<GenerateShareTokenCommand, Result<ShareTokenGenerated>>, GenerateShareTokenHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IValidator<GenerateShareTokenCommand>, GenerateShareTokenValidator>());

        services.TryAddTransient<IRequestHandler<ImportApplicantCommand, Result<ImportedApplicant>>, ImportApplicantHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IValidator<ImportApplicantCommand>, ImportApplicantValidator>());

        services.TryAddTransient<IRequestHandler<ShareWithBanxaCommand, Result<IdentityReference>>, ShareWithBanxaHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IValidator<ShareWithBanxaCommand>, ShareWithBanxaValidator>());

        services.TryAddTransient<IRequestHandler<ListShareEventsQuery, Result<ShareEventPage>>, ListShareEventsHandler>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IValidator<ListShareEventsQuery>, ListShareEventsValidator>());

        services.AddOptions<IdempotencyOptions>();

        AddShareCommandPipeline<GenerateShareTokenCommand, ShareTokenGenerated, ShareTokenGeneratedCodec, GenerateShareTokenDescriber>(services);
        AddShareCommandPipeline<ImportApplicantCommand, ImportedApplicant, ImportedApplicantCodec, ImportApplicantDescriber>(services);
        AddShareCommandPipeline<ShareWithBanxaCommand, IdentityReference, IdentityReferenceCodec, ShareWithBanxaDescriber>(services);
        return services;
    }

    // Closed registrations after the open generic ones: MediatR runs them after validation, idempotency outermost.
    private static void AddShareCommandPipeline<TCommand, TValue, TCodec, TDescriber>(IServiceCollection services)
        where TCommand : IIdempotentCommand, IRequest<Result<TValue>>
        where TCodec : class, IOutcomeCodec<TValue>
        where TDescriber : class, IShareActionDescriber<TCommand, TValue>
    {
        services.TryAddSingleton<KeyedAsyncLock>();
        services.TryAddScoped<IdempotentAttempt>();
        services.TryAddSingleton<IOutcomeCodec<TValue>, TCodec>();
        services.TryAddTransient<IShareActionDescriber<TCommand, TValue>, TDescriber>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IPipelineBehavior<TCommand, Result<TValue>>, IdempotencyBehavior<TCommand, TValue>>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<IPipelineBehavior<TCommand, Result<TValue>>, AuditBehavior<TCommand, TValue>>());
    }
}
