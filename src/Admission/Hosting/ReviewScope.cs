using System.Collections;
using Arkonis.Admission.Reviews;

namespace Arkonis.Admission.Hosting;

/// <summary>
/// The logging scope of one review (uid, operation, namespace, name, dry run): one small object instead of
/// a dictionary per request, read as key/value pairs by structured providers and as one line by the console.
/// </summary>
internal sealed class ReviewScope(AdmissionRequest request, string ns, string name) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 5;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("AdmissionUid", request.Uid),
        1 => new("Operation", request.Operation),
        2 => new("Namespace", ns),
        3 => new("Name", name),
        4 => new("DryRun", request.DryRun ?? false),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() =>
        $"AdmissionUid:{request.Uid} Operation:{request.Operation} Namespace:{ns} Name:{name} DryRun:{request.DryRun ?? false}";
}
