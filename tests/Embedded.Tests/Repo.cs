namespace Arkonis.Embedded.Tests;

internal static class Repo
{
    /// <summary>The checkout this test build came from.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ArkEvent.sln")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("ArkEvent.sln not found above " + AppContext.BaseDirectory);
    }
}
