namespace Coinage.Hosting.ApplicationModel;

/// <summary>The built, immutable list of resources and the context they run in.</summary>
public sealed class AppModel(IReadOnlyList<IResource> resources, CoinageExecutionContext context, string? solutionDirectory)
{
    public IReadOnlyList<IResource> Resources { get; } = resources;

    public CoinageExecutionContext Context { get; } = context;

    public string? SolutionDirectory { get; } = solutionDirectory;

    public IResource this[string name] =>
        Resources.FirstOrDefault(r => r.Name == name) ?? throw new KeyNotFoundException($"No resource named '{name}' in the app model.");

    /// <summary>
    /// The resources in dependency order (what something depends on comes first); throws on a
    /// cycle, naming it.
    /// </summary>
    public IReadOnlyList<IResource> InStartOrder(IEnumerable<IResource>? subset = null)
    {
        var ordered = new List<IResource>();
        var state = new Dictionary<IResource, bool>(); // false: visiting, true: done
        void Visit(IResource resource, Stack<IResource> path)
        {
            if (state.TryGetValue(resource, out var done))
            {
                if (!done)
                {
                    var cycle = path.Reverse().SkipWhile(r => r != resource).Append(resource).Select(r => r.Name);
                    throw new InvalidOperationException($"The app model has a dependency cycle: {string.Join(" -> ", cycle)}.");
                }
                return;
            }
            state[resource] = false;
            path.Push(resource);
            foreach (var dependency in resource.Dependencies().Where(d => d is not ParameterResource))
            {
                Visit(dependency, path);
            }
            path.Pop();
            state[resource] = true;
            ordered.Add(resource);
        }
        foreach (var resource in subset ?? Resources)
        {
            Visit(resource, new Stack<IResource>());
        }
        return ordered;
    }
}
