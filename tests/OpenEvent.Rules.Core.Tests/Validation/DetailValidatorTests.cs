using OpenEvent.Rules.Sources;

namespace OpenEvent.Rules.Core.Tests.Validation;

/// <summary>
/// Where a policy reads the detail, against the detail schemas of the event types it matches (the shipped catalog):
/// each problem one diagnostic, at the line and column of what is wrong, with the fix in the hint.
/// </summary>
public sealed class DetailValidatorTests
{
    private static async Task<List<string>> DiagnosticsAsync(string spec)
    {
        using var folder = new TempFolder();
        folder.Write("p.yaml", "apiVersion: openevent.rules/v1\nkind: Policy\nmetadata: { name: p }\nspec:\n" + spec);
        var load = await PolicyFolderLoader.LoadAsync([folder.Root]);
        return [.. load.Diagnostics.Select(d => $"{d.Id} {d.Severity} {d.Location.Line}:{d.Location.Column} {d.Message} | {d.Hint}")];
    }

    public static TheoryData<string, string> Cases() => new()
    {
        {
            // 5: detail on a set of types where one has none.
            """
              match:
                type: ["dataworks:FileChange:DeployFile", "dataworks:NodeChange:NodeChangeCreated"]
                detail: { CommittedFile: { Content: [{ contains: "DROP" }] } }
              actions: [ { notify: { channel: log, message: "x" } } ]
            """,
            "OER3070 Error 7:5 Policy 'p': its pattern reads detail, but it matches dataworks:NodeChange:NodeChangeCreated, which has no detail | "
            + "Only these event types have a detail (GetIDEEventDetail): dataworks:FileChange:DeleteFile, dataworks:FileChange:CommitFile, dataworks:FileChange:DeployFile, "
            + "dataworks:FileChange:RunFile, dataworks:TableChange:CommitTable, dataworks:TableChange:DeployTable. Restrict the policy's type to them, or split it: one policy for the types with a detail, one for the others."
        },
        {
            """
              match:
                source: ["acs.dataworks"]
              condition: e.Detail.TableModel.LifeCycle > 0
              actions: [ { notify: { channel: log, message: "x" } } ]
            """,
            "OER3070 Error 7:16 Policy 'p': its condition reads e.Detail, but it matches any event type | "
            + "Only these event types have a detail (GetIDEEventDetail): dataworks:FileChange:DeleteFile, dataworks:FileChange:CommitFile, dataworks:FileChange:DeployFile, "
            + "dataworks:FileChange:RunFile, dataworks:TableChange:CommitTable, dataworks:TableChange:DeployTable. Restrict the policy's type to them, or split it: one policy for the types with a detail, one for the others."
        },
        {
            """
              match:
                type: ["dataworks:FileChange:DeployFile"]
                detail: { CommittedFile: { Contnet: [{ contains: "DROP" }] } }
              actions: [ { notify: { channel: log, message: "x" } } ]
            """,
            "OER3071 Error 7:32 Policy 'p': 'detail.CommittedFile.Contnet' is not a field of the detail of dataworks:FileChange:DeployFile (detail.CommittedFile) | "
            + "Did you mean 'detail.CommittedFile.Content'? Detail fields are case-sensitive, as GetIDEEventDetail writes them; they are listed in schemas/events/detail/<name>.schema.json."
        },
        {
            """
              match:
                type: ["dataworks:FileChange:DeployFile"]
                detail: { CommittedFile: { CronExpress: ["00 00 * * * ?"] } }
              actions: [ { notify: { channel: log, message: "x" } } ]
            """,
            "OER3071 Error 7:32 Policy 'p': 'detail.CommittedFile.CronExpress' is not a field of the detail of dataworks:FileChange:DeployFile (detail.CommittedFile) | "
            + "Did you mean 'detail.CommittedFile.NodeConfiguration.CronExpress'? Detail fields are case-sensitive, as GetIDEEventDetail writes them; they are listed in schemas/events/detail/<name>.schema.json."
        },
        {
            // The member of another type: a table event has TableModel, not CommittedFile.
            """
              match:
                type: ["dataworks:TableChange:CommitTable"]
              actions: [ { notify: { channel: log, message: "{{ detail.CommittedFile.FileName }}" } } ]
            """,
            "OER3071 Error 7:50 Policy 'p': 'detail.CommittedFile.FileName' is not a field of the detail of dataworks:TableChange:CommitTable (detail.TableModel) | "
            + "Detail fields are case-sensitive, as GetIDEEventDetail writes them; they are listed in schemas/events/detail/<name>.schema.json."
        },
        {
            """
              match:
                type: ["dataworks:FileChange:DeployFile"]
                detail: ["x"]
              actions: [ { notify: { channel: log, message: "x" } } ]
            """,
            "OER3072 Error 7:5 Policy 'p': detail is an object (the event's detail), so it takes a pattern object, not a list of values | "
            + "Write the fields of the detail under it, e.g. detail: { CommittedFile: { Content: [{ contains: \"DROP TABLE\" }] } }."
        },
        {
            """
              match:
                type: ["dataworks:FileChange:DeployFile"]
                $or:
                  - data: { fileName: [{ prefix: "dws_" }] }
                  - detail: { CommittedFile: { FileName: [{ prefix: "dws_" }] } }
              actions: [ { notify: { channel: log, message: "x" } } ]
            """,
            "OER3072 Error 9:9 Policy 'p': detail is read inside a '$or' branch; the detail is asked for only after the rest of the pattern matched, so it must be a member of the pattern itself | "
            + "Move detail beside '$or' (the detail then constrains every branch), put the alternatives inside detail with a '$or' of their own, or write one policy per branch."
        },
        {
            """
              match:
                type: ["dataworks:FileChange:DeployFile"]
              detailErrors: match
              actions: [ { notify: { channel: log, message: "x" } } ]
            """,
            "OER3073 Warning 7:3 Policy 'p': detailErrors has no effect, since the policy never reads the event's detail | "
            + "Remove detailErrors, or read the detail: a detail: section beside data in match, {{ detail.* }} in a template, or e.Detail in the condition."
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Validate_DetailMistake_ExactlyItsDiagnostic(string spec, string expected)
    {
        var diagnostics = await DiagnosticsAsync(spec);

        Assert.Equal(expected, Assert.Single(diagnostics));
    }

    [Fact]
    public async Task Validate_DetailEverywhereItCanBe_NoDiagnostic()
    {
        var diagnostics = await DiagnosticsAsync("""
              match:
                type: ["dataworks:FileChange:CommitFile", "dataworks:FileChange:DeployFile"]
                data: { fileName: [{ prefix: "dws_" }] }
                detail:
                  CommittedFile:
                    NodeConfiguration: { CronExpress: [{ exists: true }], OutputList: { RefTableName: [{ prefix: "dws_" }] } }
                    $or:
                      - Content: [{ contains: "DROP TABLE" }]
                      - ChangeType: ["DELETE"]
              exclude:
                - match: { detail: { CommittedFile: { UseType: ["SKIP"] } } }
              condition: e.Detail.CommittedFile.Sql.SelectStar || e.MinutesBetweenRuns(e.Detail.CommittedFile.Node.CronExpress) < 5
              detailErrors: fail-mode
              actions: [ { notify: { channel: log, message: "{{ detail.CommittedFile.FileName }} by {{ detail.CommittedFile.Committor }}" } } ]
            """);

        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("e.Detail.Exists", 2)]
    [InlineData("e?.Detail?.Exists == true", 3)]
    [InlineData("e is { Detail: { Exists: true } }", 7)]
    [InlineData("e is { Detail.Sql.SelectStar: true }", 7)] // an extended property pattern: read, so fetched
    [InlineData("e is not { Detail.Exists: true }", 11)]
    [InlineData("e . @Detail.Exists", 5)]
    [InlineData("e.Data.Str(\"x\") == \"e.Detail\" // e.Detail\n && e.Detail.Exists", 48)]
    [InlineData("e.Data.Str(\"Detail\") == @\"a \"\" e.Detail\" && 'D' == 'D'", -1)]
    [InlineData("e.Data.Str(\"\"\"e.Detail\"\"\") == \"\" /* e.Detail */", -1)]
    [InlineData("e.Data.Str(\"DetailName\") != null && e.Data.Has(\"Detail\")", -1)]
    public void InCondition_FindsTheFirstRead(string expression, int offset)
    {
        Assert.Equal(offset, Model.DetailUse.InCondition(expression));
    }
}
