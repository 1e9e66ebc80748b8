using OpenEvent.Rules.Catalog;
using OpenEvent.Rules.Model;
using OpenEvent.Rules.Model.Patterns;
using OpenEvent.Rules.Model.Patterns.Operators;
using OpenEvent.Rules.Validation;
using static OpenEvent.Rules.Core.Tests.Validation.M;

namespace OpenEvent.Rules.Core.Tests.Validation;

public sealed class FieldValidatorTests
{
    private static PatternObject TypedData(string type, params PatternMember[] data) =>
        Pattern(Leaf("type", Exact(type)), Data(data));

    // OER3021: undocumented paths

    [Fact]
    public void Validate_MisspelledDataField_WarningWithDidYouMean()
    {
        var policy = Policy("freeze", TypedData(Deploy, Leaf("fileNme", 8, 7, Exact("x", 8, 17))));

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3021", DiagnosticSeverity.Warning, 8, 7,
            $"Policy 'freeze': 'data.fileNme' is not documented for {Deploy}");
        Assert.Equal("Did you mean 'data.fileName'? Field names are case-sensitive; the documented fields are in schemas/events/<family>.schema.json. A field that is never sent never matches.", diagnostic.Hint);
    }

    [Fact]
    public void Validate_DottedKeys_WarnedWithTheNestingToWrite()
    {
        // "data.fileName" and "tableMapping.dstTable" are field names with a dot: the paths here are joined with dots,
        // so both looked documented and the policy never matched in silence.
        var policy = Policy("dots", Pattern(Leaf("type", Exact(StartDi)), Leaf("data.fileName", 7, 5, Prefix("tmp_")),
            Data(Nested("tableMapping.dstTable", 8, 7, Leaf("x", Exact("y"))))));

        var diagnostics = Validate(policy);

        Assert.Equal(2, diagnostics.Count);
        AssertDiagnostic(diagnostics[0], "OER3021", DiagnosticSeverity.Warning, 7, 5,
            "Policy 'dots': 'data.fileName' is one field name with a dot in it, which no DataWorks event has: a pattern never reads a dot as nesting");
        Assert.Equal("Nest the names as the event nests them: data: { fileName: [...] }.", diagnostics[0].Hint);
        AssertDiagnostic(diagnostics[1], "OER3021", DiagnosticSeverity.Warning, 8, 7,
            "Policy 'dots': 'tableMapping.dstTable' is one field name with a dot in it, which no DataWorks event has (under data): a pattern never reads a dot as nesting");
        Assert.Equal("Nest the names as the event nests them: tableMapping: { dstTable: [...] }.", diagnostics[1].Hint);
    }

    [Fact]
    public void Validate_SpecKeyIndentedUnderMatch_HintSaysMoveItToSpec()
    {
        // scope: one level too deep is read as an envelope attribute; the hint pointed at data: instead.
        var diagnostic = Assert.Single(Validate(Policy("p", Pattern(Leaf("type", Exact(Deploy)), Nested("scope", 8, 5, Leaf("workspaces", Exact("1")))))));

        AssertDiagnostic(diagnostic, "OER3025", DiagnosticSeverity.Error, 8, 5,
            "Policy 'p': 'scope' is not a CloudEvents or EventBridge attribute of DataWorks events: the pattern can never match");
        Assert.Equal("'scope' is a key of spec, not of the pattern: move it out of match, to spec.scope (indented like match).", diagnostic.Hint);
    }

    [Fact]
    public void Validate_FieldOfAnotherType_Warning()
    {
        var policy = Policy("p", TypedData(InstanceStatus, Leaf("fileName", 8, 7, Exact("x"))));

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3021", DiagnosticSeverity.Warning, 8, 7,
            $"Policy 'p': 'data.fileName' is not documented for {InstanceStatus}");
    }

    [Fact]
    public void Validate_FieldDocumentedBySomeMatchedType_NoDiagnostics() =>
        Assert.Empty(Validate(Policy("p", Pattern(Leaf("type", Exact(Deploy), Exact(InstanceStatus)), Data(Leaf("status", Number("5")))))));

    [Fact]
    public void Validate_UnconstrainedTypeWithFieldSomeTypeDocuments_NoDiagnostics() =>
        Assert.Empty(Validate(Policy("p", Pattern(Data(Leaf("tableName", Exact("ods_orders")))))));

    [Fact]
    public void Validate_UnconstrainedTypeWithFieldNoTypeDocuments_Warning()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", Pattern(Data(Leaf("tablename", 6, 7, Exact("ods_orders")))))));

        AssertDiagnostic(diagnostic, "OER3021", DiagnosticSeverity.Warning, 6, 7,
            "Policy 'p': 'data.tablename' is not documented for any DataWorks event type");
        Assert.StartsWith("Did you mean 'data.tableName'?", diagnostic.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NestedArrayObjectField_Documented() =>
        Assert.Empty(Validate(Policy("p", TypedData(StartDi, Nested("tableMapping", 8, 7, Leaf("dstTable", Prefix("ods_")))))));

    [Fact]
    public void Validate_UndocumentedNestedObject_ReportedOnceAtTheObject()
    {
        var policy = Policy("p", TypedData(StartDi, Nested("tableMaping", 8, 7, Leaf("dstTable", Prefix("ods_")), Leaf("srcTable", Prefix("x")))));

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3021", DiagnosticSeverity.Warning, 8, 7,
            $"Policy 'p': 'data.tableMaping' is not documented for {StartDi}");
        Assert.StartsWith("Did you mean 'data.tableMapping'?", diagnostic.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_UndocumentedLeafUnderDocumentedObject_Warning()
    {
        var policy = Policy("p", TypedData(StartDi, Nested("tableMapping", 8, 7, Leaf("dstTabel", 9, 9, Prefix("ods_")))));

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3021", DiagnosticSeverity.Warning, 9, 9,
            $"Policy 'p': 'data.tableMapping.dstTabel' is not documented for {StartDi}");
    }

    [Fact]
    public void Validate_OrBranchesWithTheirOwnTypes_CheckedPerBranch()
    {
        var match = Pattern(Or(
            TypedData(Deploy, Leaf("fileName", Suffix(".sql"))),
            TypedData(Download, Leaf("fileName", Suffix(".csv")), Leaf("dataRowSize", 12, 11, NumericString(12, 24, (NumericOperator.GreaterThan, 1000)))),
            TypedData(InstanceStatus, Leaf("fileName", 15, 11, Suffix(".csv")))));

        var diagnostic = Assert.Single(Validate(Policy("p", match)));

        AssertDiagnostic(diagnostic, "OER3021", DiagnosticSeverity.Warning, 15, 11,
            $"Policy 'p': 'data.fileName' is not documented for {InstanceStatus}");
    }

    [Fact]
    public void Validate_UndocumentedFieldInExclusion_Warning()
    {
        var policy = Policy("p", Types(Deploy), exclude: [Exclusion(Pattern(Data(Leaf("fileNam", 12, 13, Prefix("tmp_")))))]);

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3021", DiagnosticSeverity.Warning, 12, 13,
            $"Policy 'p': 'data.fileNam' is not documented for {Deploy}");
    }

    [Fact]
    public void Validate_UnknownEnvelopeAttribute_ErrorWithDidYouMean()
    {
        var policy = Policy("p", Pattern(Leaf("type", Exact(Deploy)), Leaf("aliyunregion", 7, 5, Exact("cn-hangzhou"))));

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3025", DiagnosticSeverity.Error, 7, 5,
            "Policy 'p': 'aliyunregion' is not a CloudEvents or EventBridge attribute of DataWorks events: the pattern can never match");
        Assert.StartsWith("Did you mean 'aliyunregionid'?", diagnostic.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PayloadFieldAtTopLevel_Error()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", Pattern(Leaf("type", Exact(Deploy)), Leaf("fileName", 7, 5, Exact("a"))))));

        Assert.Equal("Policy 'p': 'fileName' is not a CloudEvents or EventBridge attribute of DataWorks events: the pattern can never match", diagnostic.Message);
    }

    [Fact]
    public void Validate_KnownEnvelopeAttributes_NoDiagnostics() =>
        Assert.Empty(Validate(Policy("p", Pattern(
            Leaf("source", Exact("acs.dataworks")), Leaf("type", Exact(Deploy)), Leaf("aliyunregionid", Exact("cn-shanghai")),
            Leaf("subject", Exact("")), Leaf("aliyunaccountid", Exact("1234567890123456"))))));

    [Fact]
    public void Validate_PatternMatchingNothing_FieldsNotJudged() =>
        Assert.Equal(["OER3020"], Validate(Policy("p", TypedData("dataworks:FileChange:Nope", Leaf("anything", Exact("x"))))).Select(d => d.Id));

    // OER3022: operator against documented type

    [Fact]
    public void Validate_StringLiteralOnIntegerField_ErrorWithFixedLiteral()
    {
        var policy = Policy("failures", TypedData(InstanceStatus, Leaf("status", 8, 7, Exact("5", 8, 16))), actions: [Notify()]);

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3022", DiagnosticSeverity.Error, 8, 16,
            "Policy 'failures': the string \"5\" can never equal 'data.status', which is documented as integer");
        Assert.Equal("Strings never equal numbers: write the number without quotes, status: [5].", diagnostic.Hint);
    }

    [Fact]
    public void Validate_NonNumericStringOnIntegerField_ErrorSuggestingNumeric()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", TypedData(InstanceStatus, Leaf("status", Exact("FAILED", 8, 16))))));

        Assert.Equal("OER3022", diagnostic.Id);
        Assert.Equal("'status' holds numbers: write a number without quotes, or use numeric, e.g. status: [{\"numeric\": [\">=\", 5]}].", diagnostic.Hint);
    }

    [Fact]
    public void Validate_NumberLiteralOnStringField_ErrorWithQuotedLiteral()
    {
        var policy = Policy("dl", TypedData(Download, Leaf("queryDwProjectId", 8, 7, Number("10001234", 8, 26))));

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3022", DiagnosticSeverity.Error, 8, 26,
            "Policy 'dl': the number 10001234 can never equal 'data.queryDwProjectId', which is documented as string");
        Assert.Equal("Strings never equal numbers: quote the value, queryDwProjectId: [\"10001234\"].", diagnostic.Hint);
    }

    [Fact]
    public void Validate_NumericOnStringField_Error()
    {
        var policy = Policy("p", TypedData(Deploy, Leaf("changeType", Numeric(8, 19, (NumericOperator.Equal, 2)))));

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3022", DiagnosticSeverity.Error, 8, 19,
            "Policy 'p': numeric can never match 'data.changeType', which is documented as string");
    }

    [Theory]
    [InlineData("prefix")]
    [InlineData("suffix")]
    [InlineData("contains")]
    [InlineData("wildcard")]
    [InlineData("equals-ignore-case")]
    [InlineData("cidr")]
    public void Validate_StringOperatorOnIntegerField_Error(string op)
    {
        Matcher matcher = op switch
        {
            "prefix" => Prefix("1", 8, 15),
            "suffix" => Suffix("1", 8, 15),
            "contains" => Contains("1", 8, 15),
            "wildcard" => Wildcard("1*", 8, 15),
            "equals-ignore-case" => IgnoreCase("1", 8, 15),
            _ => Cidr("10.0.0.0/8", 8, 15),
        };

        var diagnostic = Assert.Single(Validate(Policy("p", TypedData(Deploy, Leaf("fileType", matcher)))));

        AssertDiagnostic(diagnostic, "OER3022", DiagnosticSeverity.Error, 8, 15,
            $"Policy 'p': {op} can never match 'data.fileType', which is documented as integer");
        Assert.Equal($"{op} applies to strings only; match numbers with exact values or numeric, e.g. fileType: [{{\"numeric\": [\">=\", 5]}}].", diagnostic.Hint);
    }

    [Fact]
    public void Validate_FieldWithSeveralTypes_AcceptsStringAndNumberOperators() =>
        Assert.Empty(Validate(Policy("p", TypedData(Download,
            Leaf("dataRowSize", NumericString(1, 1, (NumericOperator.GreaterThan, 100000)), Exact("100001"), Number("100001"), Prefix("9"))))));

    [Fact]
    public void Validate_NumericOnANumberSentAsText_WarnsAndPointsToNumericString()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", TypedData(Download, Leaf("dataRowSize", Numeric(9, 20, (NumericOperator.GreaterThan, 100000)))))));

        AssertDiagnostic(diagnostic, "OER3061", DiagnosticSeverity.Warning, 9, 20,
            "Policy 'p': numeric never matches 'data.dataRowSize' when DataWorks sends it as text (it is documented as integer or string, e.g. \"123456\")");
        Assert.Equal("compare numbers and numbers written as text with numeric-string: dataRowSize: [{\"numeric-string\":[\">\",100000]}]", diagnostic.Hint);
    }

    [Fact]
    public void Validate_IdWrittenAsTextOnly_WarnsAndListsTheNumber()
    {
        // Quotes copied from a scope: ["10001234"] misses every event that sends the number, as the samples do.
        var diagnostic = Assert.Single(Validate(Policy("p", TypedData(Download, Leaf("dataRowSize", Exact("250000", 9, 20))))));

        AssertDiagnostic(diagnostic, "OER3063", DiagnosticSeverity.Warning, 9, 20,
            "Policy 'p': \"250000\" never matches 'data.dataRowSize' when DataWorks sends it as a number (it is documented as integer or string)");
        Assert.Equal("list the number too, dataRowSize: [250000, \"250000\"], or compare both with dataRowSize: [{ numeric-string: [\"=\", 250000] }]", diagnostic.Hint);
    }

    [Fact]
    public void Validate_IdAsANumberOrInBothFormsOrNotAnIdLiteral_NoDiagnostic() =>
        Assert.Empty(Validate(Policy("p", TypedData(Download,
            Leaf("dataRowSize", Number("250000"), Exact("7"), Number("7"), Exact("0123"), Exact("12a"))))));

    [Fact]
    public void Validate_WorkspaceIdAsNumberOnly_WarnsAndListsTheText()
    {
        // projectId: [10001234] missed every event that sends "10001234", which the reference says DataWorks may.
        var diagnostic = Assert.Single(Validate(Policy("p", TypedData(Deploy, Leaf("projectId", Number("10001234", 9, 20))))));

        AssertDiagnostic(diagnostic, "OER3063", DiagnosticSeverity.Warning, 9, 20,
            "Policy 'p': 10001234 never matches 'data.projectId' when DataWorks sends it as text, \"10001234\" (it is documented as integer or string)");
        Assert.Equal("list the text too, projectId: [10001234, \"10001234\"], or compare both with projectId: [{ numeric-string: [\"=\", 10001234] }]; "
            + "for the workspace, scope: { workspaces: [...] } reads every form", diagnostic.Hint);
    }

    [Fact]
    public void Validate_TenantIdInOneFormEach_BothWarnedWithTheTenantScope()
    {
        var diagnostics = Validate(Policy("p", TypedData(InstanceStatus, Leaf("tenantId", Number("283780000010656", 9, 20), Exact("283780000010657", 9, 37)))));

        Assert.Equal([("OER3063", 20), ("OER3063", 37)], diagnostics.Select(d => (d.Id, d.Location.Column)));
        Assert.All(diagnostics, d => Assert.EndsWith("; for the tenant, scope: { tenants: [...] } reads every form", d.Hint, StringComparison.Ordinal));
        Assert.StartsWith("list the text too, tenantId: [283780000010656, \"283780000010656\"]", diagnostics[0].Hint, StringComparison.Ordinal);
        Assert.StartsWith("list the number too, tenantId: [283780000010657, \"283780000010657\"]", diagnostics[1].Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WorkspaceIdInBothFormsOrNumericString_NoDiagnostic() =>
        Assert.Empty(Validate(
            Policy("both", TypedData(Deploy, Leaf("projectId", Number("10001234"), Exact("10001234")))),
            Policy("numeric-string", TypedData(StartDi, Leaf("appId", Number("293624"), NumericString(1, 1, (NumericOperator.Equal, 293625))))),
            Policy("in-exclusion", Types(InstanceStatus), exclude: [Exclusion(Pattern(Data(Leaf("appId", Exact("3100002"), Number("3100002")))))])));

    [Fact]
    public void Validate_WorkspaceIdExcludedInOneForm_WarnsThatTheOtherFormGetsThrough()
    {
        // anything-but: [10001234] let an event that sends "10001234" through: the opposite trap of an exact value.
        var diagnostics = Validate(
            Policy("one-form", TypedData(Deploy, Leaf("projectId", AnythingBut(9, 20, Number("10001234", 9, 36))))),
            Policy("both-forms", TypedData(Deploy, Leaf("projectId", AnythingBut(1, 1, Number("10001234"), Exact("10001234"))))));

        var diagnostic = Assert.Single(diagnostics);
        AssertDiagnostic(diagnostic, "OER3063", DiagnosticSeverity.Warning, 9, 36,
            "Policy 'one-form': anything-but excludes 10001234 from 'data.projectId' but lets \"10001234\" through when DataWorks sends it in that form (it is documented as integer or string)");
        Assert.StartsWith("exclude both forms, projectId: [{ anything-but: [10001234, \"10001234\"] }]", diagnostic.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_WorkspaceIdAsNumberInExclusion_Warns() =>
        Assert.Equal(["OER3063"], Validate(Policy("p", Types(InstanceStatus), exclude: [Exclusion(Pattern(Data(Leaf("appId", Number("3100002")))))])).Select(d => d.Id));

    // OER3065: exists on an object or an array of objects, where it sees no leaf value

    [Fact]
    public void Validate_ExistsFalseOnArrayOfObjects_WarnsThatItAlwaysHoldsAndNamesTheFlag()
    {
        // tableMapping: [{exists: false}] was meant to catch a StartDiJob without its mappings, and matched every one.
        var diagnostic = Assert.Single(Validate(Policy("p", TypedData(StartDi, Leaf("tableMapping", 8, 7, Exists(false, 8, 22))))));

        AssertDiagnostic(diagnostic, "OER3065", DiagnosticSeverity.Warning, 8, 22,
            "Policy 'p': exists: false always holds for 'data.tableMapping', also when an event carries it: it is documented as an array of objects, and exists sees leaf values only (strings, numbers, booleans, null)");
        Assert.Equal("Test a leaf instead. DataWorks says whether it sent tableMapping in showTableMapping: showTableMapping: [false]. "
            + "tableMapping: { dstDatasourceName: [{ exists: false }] } holds when tableMapping is absent or empty, but also when one of its elements has no dstDatasourceName.", diagnostic.Hint);
    }

    [Fact]
    public void Validate_ExistsTrueOnArrayOfObjectsInExclusion_WarnsThatItNeverHolds()
    {
        var policy = Policy("p", Types(StartDi), exclude: [Exclusion(Pattern(Data(Leaf("tableMapping", Exists(true, 12, 30)))))]);

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3065", DiagnosticSeverity.Warning, 12, 30,
            "Policy 'p': exists: true never holds for 'data.tableMapping', even when an event carries it: it is documented as an array of objects, and exists sees leaf values only (strings, numbers, booleans, null)");
        Assert.EndsWith("showTableMapping: [true]. tableMapping: { dstDatasourceName: [{ exists: true }] } holds when some element of tableMapping has a dstDatasourceName.", diagnostic.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ExistsOnObjectEnvelopeMember_Warns() =>
        Assert.Equal(["OER3065"], Validate(Policy("p", Pattern(Leaf("type", Exact(StartDi)), Leaf("data", Exists(true))))).Select(d => d.Id));

    [Fact]
    public void Validate_ExistsOnLeavesArraysOfNumbersOrUndocumentedFields_NoDiagnostic() =>
        Assert.Empty(Validate(
            Policy("leaf-in-array", TypedData(StartDi, Nested("tableMapping", 1, 1, Leaf("srcTable", Exists(false)), Leaf("dstTable", Exists(true))))),
            Policy("flag", TypedData(StartDi, Leaf("showTableMapping", Exists(true)))),
            Policy("numbers", TypedData(UnFreeze, Leaf("nodeIds", Exists(false)))),
            Policy("any-type", Pattern(Data(Leaf("nodeId", Exists(false)))))));

    // OER3066: "not run" is 1 in the docs and 0 in DataWorks' example code

    [Fact]
    public void Validate_InstanceStatusOneWithoutZero_WarnsAndListsZero()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", TypedData(InstanceStatus, Leaf("status", 8, 7, Number("1", 8, 16), Number("5", 8, 19))))));

        AssertDiagnostic(diagnostic, "OER3066", DiagnosticSeverity.Warning, 8, 16,
            "Policy 'p': 'data.status' matches 1 (not run) but not 0, which DataWorks' example code sends for \"not run\" too: those instance status events are missed");
        Assert.Equal("Match 0 with 1: status: [0, 1, 5].", diagnostic.Hint);
    }

    [Fact]
    public void Validate_InstanceStatusAnythingButOne_WarnsThatZeroGetsThrough()
    {
        var policy = Policy("p", Types(InstanceStatus), exclude: [Exclusion(Pattern(Data(Leaf("status", AnythingBut(9, 16, Number("1"))))))]);

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3066", DiagnosticSeverity.Warning, 9, 16,
            "Policy 'p': 'data.status' matches 0 but not 1 (not run), though DataWorks' example code sends 0 for \"not run\": 0 and 1 are one status");
        Assert.Equal("Treat 0 as 1, e.g. leave both out with status: [{ anything-but: [0, 1] }], or match both with status: [0, 1].", diagnostic.Hint);
    }

    [Fact]
    public void Validate_InstanceStatusRangeFromOne_WarnsWithTheRangeKept() =>
        Assert.Equal("Match 0 with 1: status: [0, {\"numeric\":[\">=\",1,\"<\",3]}].",
            Assert.Single(Validate(Policy("p", TypedData(InstanceStatus,
                Leaf("status", Numeric(1, 1, (NumericOperator.GreaterThanOrEqual, 1), (NumericOperator.LessThan, 3))))))).Hint);

    [Fact]
    public void Validate_InstanceStatusTreatingZeroAndOneAlike_NoDiagnostic() =>
        Assert.Empty(Validate(
            Policy("both", TypedData(InstanceStatus, Leaf("status", Number("0"), Number("1")))),
            Policy("neither", TypedData(InstanceStatus, Leaf("status", Number("5"), Number("6")))),
            Policy("range", TypedData(InstanceStatus, Leaf("status", Numeric(1, 1, (NumericOperator.LessThanOrEqual, 1))))),
            Policy("excluded", TypedData(InstanceStatus, Leaf("status", AnythingBut(1, 1, Number("1"), Number("0"))))),
            Policy("present", TypedData(InstanceStatus, Leaf("status", Exists(true))))));

    [Fact]
    public void Validate_StatusOneInABranchOfAnotherType_NotChecked() =>
        // Each top-level branch is checked against its own types: the policy matches instance status events, but not here.
        Assert.Empty(Validate(Policy("p", Pattern(Or(
            TypedData(InstanceStatus, Leaf("status", Number("5"))),
            Pattern(Leaf("type", Exact(Deploy)), Data(Leaf("status", Number("1")))))))).WithId("OER3066"));

    [Fact]
    public void Validate_NumericStringOnText_NoDiagnostic() =>
        Assert.Empty(Validate(Policy("p", TypedData(Download, Leaf("queryDwProjectId", NumericString(1, 1, (NumericOperator.GreaterThanOrEqual, 10001234)))))));

    [Fact]
    public void Validate_NumericStringOnBooleans_NeverMatches()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", TypedData(StartDi, Leaf("showTableMapping", NumericString(8, 15, (NumericOperator.GreaterThan, 0)))))));

        AssertDiagnostic(diagnostic, "OER3022", DiagnosticSeverity.Error, 8, 15, "Policy 'p': numeric-string can never match 'data.showTableMapping', which is documented as boolean");
    }

    [Fact]
    public void Validate_MatchingTypes_NoDiagnostics() =>
        Assert.Empty(Validate(Policy("p", TypedData(InstanceStatus,
            Leaf("status", Number("5"), Numeric(1, 1, (NumericOperator.GreaterThanOrEqual, 5))),
            Leaf("nodeId", Exists(true), AnythingBut(1, 1, Number("1")), Null())))));

    [Fact]
    public void Validate_ArrayField_ElementTypeUnknownSoNoOperatorIsRuledOut() =>
        Assert.Empty(Validate(Policy("p", TypedData(UnFreeze, Leaf("nodeIds", Number("700012003"), Numeric(1, 1, (NumericOperator.GreaterThan, 0)))))));

    [Fact]
    public void Validate_AnythingButStringOnIntegerField_NoDiagnostics() =>
        // anything-but "5" on a number matches every number: pointless, but it does match, so it is not an error.
        Assert.Empty(Validate(Policy("p", TypedData(InstanceStatus, Leaf("status", AnythingBut(1, 1, Exact("5")))))));

    [Fact]
    public void Validate_OperatorMismatchOnEnvelope_Error()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", Pattern(Leaf("type", Exact(Deploy)), Leaf("aliyunregionid", Numeric(6, 13, (NumericOperator.GreaterThan, 0)))))));

        AssertDiagnostic(diagnostic, "OER3022", DiagnosticSeverity.Error, 6, 13, "Policy 'p': numeric can never match 'aliyunregionid', which is documented as string");
    }

    // OER3038: one entry of a list can never match, the others can (issue 19)

    [Fact]
    public void Validate_QuotedNumberBesideTheNumber_WarningOnTheQuotedEntryOnly()
    {
        var policy = Policy("sql-commits", TypedData(Commit, Leaf("fileType", 8, 7, Exact("10", 8, 18), Number("10", 8, 24))));

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3038", DiagnosticSeverity.Warning, 8, 18,
            "Policy 'sql-commits': the string \"10\" can never equal 'data.fileType', which is documented as integer; the other entries of the list still match");
        Assert.Equal("Remove this entry from the list, or fix it. Strings never equal numbers: write the number without quotes, fileType: [10].", diagnostic.Hint);
    }

    [Fact]
    public void Validate_OperatorMismatchOnEnvelopeBesideAGoodValue_Warning()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", Pattern(Leaf("type", Exact(Deploy)), Leaf("source", Numeric(6, 13, (NumericOperator.GreaterThan, 0)), Exact("acs.dataworks"))))));

        AssertDiagnostic(diagnostic, "OER3038", DiagnosticSeverity.Warning, 6, 13,
            "Policy 'p': numeric can never match 'source', which is documented as string; the other entries of the list still match");
    }

    [Fact]
    public void Validate_NeverMatchingEntryBesideAnythingBut_Warning() =>
        Assert.Equal(["OER3038"], Validate(Policy("p", TypedData(Commit, Leaf("fileType", Exact("10", 8, 18), AnythingBut(8, 24, Number("6")))))).Select(d => d.Id));

    [Fact]
    public void Validate_EveryEntryNeverMatches_OneErrorPerEntry()
    {
        var diagnostics = Validate(Policy("p", TypedData(Commit, Leaf("fileType", 8, 7, Exact("10", 8, 18), Prefix("2", 8, 24)))));

        Assert.Equal([("OER3022", DiagnosticSeverity.Error, 18), ("OER3022", DiagnosticSeverity.Error, 24)],
            diagnostics.Select(d => (d.Id, d.Severity, d.Location.Column)));
    }

    [Fact]
    public void Validate_MixedListInExclusion_Warning()
    {
        var policy = Policy("p", Types(Commit), exclude: [Exclusion(Pattern(Data(Leaf("changeType", Exact("0"), Number("0", 12, 30)))))]);

        var diagnostic = Assert.Single(Validate(policy));

        AssertDiagnostic(diagnostic, "OER3038", DiagnosticSeverity.Warning, 12, 30,
            "Policy 'p': the number 0 can never equal 'data.changeType', which is documented as string; the other entries of the list still match");
    }

    [Fact]
    public void Validate_BooleanOnStringField_Error()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", TypedData(Deploy, Leaf("fileName", new ExactMatcher(Scalar.True, L(8, 17)))))));

        AssertDiagnostic(diagnostic, "OER3022", DiagnosticSeverity.Error, 8, 17,
            "Policy 'p': the boolean true can never equal 'data.fileName', which is documented as string");
        Assert.Equal("Booleans never equal strings: quote the value, fileName: [\"true\"].", diagnostic.Hint);
    }

    [Fact]
    public void Validate_OperatorKeywordAsDataField_WarningSaysItIsAnOperator()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", TypedData(Deploy, Leaf("fileName", Exact("a")), Leaf("prefix", 9, 7, Exact("tmp_"))))));

        AssertDiagnostic(diagnostic, "OER3021", DiagnosticSeverity.Warning, 9, 7, $"Policy 'p': 'data.prefix' is not documented for {Deploy}");
        Assert.StartsWith("'prefix' is an operator keyword, not a field: write it inside a field's list, e.g. fileName: [{\"prefix\": ...}]. ", diagnostic.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BooleanStringOnBooleanField_ErrorWithBooleanLiteral()
    {
        var diagnostic = Assert.Single(Validate(Policy("p", TypedData(StartDi, Leaf("showTableMapping", Exact("false", 8, 25))))));

        Assert.Equal("Strings never equal booleans: write the value without quotes, showTableMapping: [false].", diagnostic.Hint);
    }

    [Fact]
    public void Validate_SeveralProblems_AllReported()
    {
        var policy = Policy("p", TypedData(Deploy,
            Leaf("fileNme", 8, 7, Exact("a")),
            Leaf("fileType", Exact("10", 9, 17), Prefix("1", 9, 23)),
            Leaf("changeType", Number("1", 10, 19))));

        var diagnostics = Validate(policy);

        Assert.Equal(["OER3021", "OER3022", "OER3022", "OER3022"], diagnostics.Select(d => d.Id));
        Assert.All(diagnostics.Skip(1), d => Assert.True(d.IsError));
        Assert.Equal([(8, 7), (9, 17), (9, 23), (10, 19)], diagnostics.Select(d => (d.Location.Line, d.Location.Column)));
    }

    /// <summary>
    /// The documented JSON types of a path are the union over the matched types that document it, without repeats, in
    /// ordinal order: for each catalog type alone, for every pair of neighbouring types, for all types at once, and for
    /// lists written out of order or with repeats (alone and in a union).
    /// </summary>
    [Fact]
    public void JsonTypes_AnyMatchedTypes_UnionWithoutRepeatsInOrdinalOrder()
    {
        static string[] Expected(IEnumerable<EventTypeInfo> types, string path) =>
            [.. types.SelectMany(t => t.Fields.TryGetValue(path, out var f) ? f.JsonTypes : []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

        var catalog = EventCatalog.Default.EventTypes;
        var first = catalog[0];
        var path = first.Fields.Keys.First(k => k.StartsWith("data.", StringComparison.Ordinal));
        var unordered = first with { Fields = first.Fields.SetItem(path, new FieldInfo(path, ["string", "integer", "string"])) };
        var other = first with { Fields = first.Fields.SetItem(path, new FieldInfo(path, ["null", "integer"])) };
        List<EventTypeInfo[]> sets = [[.. catalog], [unordered], [unordered, other], [first, unordered], [other, first]];
        sets.AddRange(catalog.Select(t => new[] { t }));
        sets.AddRange(catalog.Skip(1).Select((t, i) => new[] { catalog[i], t }));
        var checkedPaths = 0;
        foreach (var types in sets)
        {
            var matched = new MatchedTypes([.. types], IsUnconstrained: false);
            foreach (var documented in types.SelectMany(t => t.Fields.Keys).Append("data.notDocumented").Distinct())
            {
                Assert.Equal(Expected(types, documented), FieldDocs.JsonTypes(matched, documented).ToArray());
                Assert.Equal(types.Any(t => t.Fields.ContainsKey(documented)), FieldDocs.IsDocumented(matched, documented));
                checkedPaths++;
            }
        }

        Assert.Equal(["integer", "string"], FieldDocs.JsonTypes(new MatchedTypes([unordered], false), path).ToArray());
        Assert.True(checkedPaths > 1000, $"{checkedPaths} paths");
    }
}
