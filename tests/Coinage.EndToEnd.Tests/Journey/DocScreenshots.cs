using Microsoft.Playwright;

namespace Coinage.EndToEnd.Tests.Journey;

/// <summary>
/// The screenshots of docs/frontend.md, taken by the browser tests only when asked:
/// <c>COINAGE_SCREENSHOTS=docs/screenshots</c> (a path relative to the repository, or absolute) writes them there;
/// without it a normal run leaves the docs alone.
/// </summary>
internal static class DocScreenshots
{
    public const string Variable = "COINAGE_SCREENSHOTS";

    public static readonly (int Width, int Height)[] Sizes = [(1440, 900), (390, 844)];

    public static readonly string[] Modes = ["light", "dark"];

    /// <summary>Where to write them, or null when the run did not ask.</summary>
    public static string? Directory { get; } = Resolve(Environment.GetEnvironmentVariable(Variable));

    public static bool Enabled => Directory is not null;

    /// <summary>The window as it is (not the full page), named <c>{name}-{width}x{height}-{mode}.png</c>.</summary>
    public static async Task TakeAsync(IPage page, string name, string mode)
    {
        if (Directory is null)
        {
            return;
        }
        var viewport = page.ViewportSize ?? throw new InvalidOperationException("The page has no viewport size.");
        // From the top, with no pointer over a control whose tooltip would be in the picture.
        await page.EvaluateAsync("() => window.scrollTo(0, 0)");
        await page.Mouse.MoveAsync(1, viewport.Height - 1);
        await Assertions.Expect(page.GetByRole(AriaRole.Tooltip)).ToHaveCountAsync(0);
        var path = Path.Combine(Directory, $"{name}-{viewport.Width}x{viewport.Height}-{mode}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, Animations = ScreenshotAnimations.Disabled });
        TestContext.Current.SendDiagnosticMessage($"Screenshot for the docs: {path}");
    }

    private static string? Resolve(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        var root = Path.GetFullPath(Path.Combine(Projects.Coinage_AppHost.ProjectPath, ".."));
        var directory = Path.IsPathRooted(value) ? value : Path.Combine(root, value);
        System.IO.Directory.CreateDirectory(directory);
        return directory;
    }
}
