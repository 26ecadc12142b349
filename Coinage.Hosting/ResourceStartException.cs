using System.Runtime.CompilerServices;

namespace Coinage.Hosting;

/// <summary>
/// A resource cannot start, for a reason a person can act on. Thrown while preparing a local resource: Aspire marks
/// the resource FailedToStart and writes this to its console log (the dashboard shows both), and the run summary
/// prints it as the one line that says why the run stops.
/// </summary>
public sealed class ResourceStartException : DistributedApplicationException
{
    private static readonly ConditionalWeakTable<IResource, ResourceStartException> Failures = [];

    public ResourceStartException(IResource resource, string reason) : base($"{resource?.Name}: {reason}")
    {
        ArgumentNullException.ThrowIfNull(resource);
        Reason = reason;
        Failures.AddOrUpdate(resource, this);
    }

    public string Reason { get; }

    /// <summary>The reason <paramref name="resource"/> could not start, if it was one of ours.</summary>
    public static string? ReasonFor(IResource resource) => Failures.TryGetValue(resource, out var failure) ? failure.Reason : null;
}
