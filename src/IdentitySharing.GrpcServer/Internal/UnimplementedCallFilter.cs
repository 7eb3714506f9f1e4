using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace IdentitySharing.GrpcServer.Internal;

/// <summary>
/// Answers UNIMPLEMENTED for POSTs to <c>/service/method</c> paths that nothing handled. It sits
/// behind the whole app pipeline (reached only when no endpoint matched), so app routes still win.
/// A catch-all <c>/{service}/{method}</c> route would do the same but make routing capture route
/// values on every gRPC call, since it is a candidate for every two-segment path.
/// </summary>
internal sealed class UnimplementedCallFilter(GrpcServiceRegistry registry, GrpcCallDispatcher dispatcher) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        app.Use(nextMiddleware => httpContext =>
            registry.Services.Count > 0 && HttpMethods.IsPost(httpContext.Request.Method) && IsServiceMethodPath(httpContext.Request.Path.Value)
                ? dispatcher.AnswerUnimplemented(httpContext)
                : nextMiddleware(httpContext));
    };

    /// <summary>Exactly two non-empty segments, as the gRPC path <c>/package.Service/Method</c> has.</summary>
    private static bool IsServiceMethodPath(string? path)
    {
        if (path is null || path.Length < 4 || path[0] != '/')
        {
            return false;
        }

        var slash = path.IndexOf('/', 1);
        return slash > 1 && slash < path.Length - 1 && path.IndexOf('/', slash + 1) < 0;
    }
}
