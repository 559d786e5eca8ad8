"""Every fake stands in for the ports its services declare: mypy checks these assignments (the
real adapters are checked the same way where ``composition`` plugs them in)."""

from __future__ import annotations

from gamification.services import (
    account,
    admin,
    exclusion,
    export,
    league_queries,
    outbox,
    projector,
    queries,
    reconciliation,
    reminders,
)
from tests.fakes.boards import FakeLeaderboard, FakeSnapshots
from tests.fakes.catalog import FakeCatalog
from tests.fakes.leagues import FakeCohorts
from tests.fakes.notifications import FakeFeed
from tests.fakes.profiles import FakeProfiles
from tests.fakes.push import FakePusher
from tests.fakes.reconciliation import FakePassLease, FakePlayerIndex
from tests.fakes.reminders import FakeDueIndex, FakeHourProgress, FakeLedger, FakeUnitQueue
from tests.fakes.user_records import FakeUserRecords


def test_every_fake_fits_the_ports_it_stands_in_for() -> None:
    profiles, feed, board = FakeProfiles(), FakeFeed(), FakeLeaderboard()
    fits: list[object] = []
    query_profiles: queries.Profiles = profiles
    league_profiles: league_queries.Profiles = profiles
    export_profiles: export.Profiles = profiles
    reminder_profiles: reminders.Profiles = profiles
    settings: account.SettingsStore = profiles
    exclusions: exclusion.Exclusions = profiles
    ranks: queries.Ranks = board
    boards: queries.Boards = board
    cohort_boards: league_queries.Boards = board
    scores: projector.ScoreBoard = board
    snapshots: queries.Snapshots = FakeSnapshots()
    feeds: queries.Feed = feed
    marks: account.ReadMarks = feed
    badges: admin.BadgeStore = FakeCatalog()
    quests: admin.QuestStore = FakeCatalog()
    members: league_queries.CohortMembers = FakeCohorts()
    records: export.Records = FakeUserRecords()
    pusher: outbox.Pusher = FakePusher()
    due: reminders.DueIndex = FakeDueIndex()
    ledger: reminders.Ledger = FakeLedger(profiles)
    units: reminders.UnitQueue = FakeUnitQueue()
    hours: reminders.HourProgress = FakeHourProgress()
    cache: reconciliation.Boards = board
    rebuild: reconciliation.Rebuild = board.rebuild([], "2026-W48", "run")
    lease: reconciliation.PassLease = FakePassLease()
    players: reconciliation.PlayerIndex = FakePlayerIndex()
    fits += [query_profiles, league_profiles, export_profiles, reminder_profiles, settings]
    fits += [exclusions, ranks, boards, cohort_boards, scores, snapshots, feeds, marks, badges]
    fits += [quests, members, records, pusher, due, ledger, units, hours]
    fits += [cache, rebuild, lease, players]
    assert len(fits) == 26


def test_the_friend_fakes_fit_their_ports() -> None:
    from gamification.services import follows, friend_board, friend_streaks, pair_quests
    from tests.fakes.boards import FakeFriendScores
    from tests.fakes.follows import FakeGraph

    graph: follows.Graph = FakeGraph()
    edges: export.OwnEdges = FakeGraph()
    followed: friend_board.Followed = FakeGraph()
    follow_profiles: follows.Profiles = FakeProfiles()
    board_profiles: friend_board.Profiles = FakeProfiles()
    scores: friend_board.MemberScores = FakeFriendScores(FakeLeaderboard())
    links: friend_streaks.StreakLinks = FakeGraph()
    streak_profiles: friend_streaks.Profiles = FakeProfiles()
    friendship: pair_quests.Friendship = FakeGraph()
    pairs: pair_quests.Links = FakeGraph().pair_links
    pair_profiles: pair_quests.Profiles = FakeProfiles()
    assert [graph, edges, followed, follow_profiles, board_profiles, scores, links]
    assert [streak_profiles, friendship, pairs, pair_profiles]


def test_the_team_fakes_fit_their_ports() -> None:
    from gamification.services import team_projection, teams
    from tests.fakes.teams import FakeTeamBoards, FakeTeamStore

    store: team_projection.TeamBoardStore = FakeTeamBoards()
    reader: teams.TeamBoardReader = FakeTeamBoards()
    definitions: teams.TeamStore = FakeTeamStore()
    memberships: export.OwnMemberships = FakeTeamStore()
    assert [store, reader, definitions, memberships]


def test_the_team_quest_fakes_fit_their_ports() -> None:
    from gamification.adapters.team_quest_progress import TeamQuestTable
    from gamification.adapters.team_repository import TeamRepository
    from gamification.services import team_quests
    from tests.fakes.team_quests import FakeTeamQuestStore
    from tests.fakes.teams import FakeTeamStore

    teams = FakeTeamStore()
    store: team_quests.TeamQuestStore = FakeTeamQuestStore(teams.is_member)
    roster: team_quests.TeamRoster = teams
    profiles: team_quests.Profiles = FakeProfiles()
    real_store: type[team_quests.TeamQuestStore] = TeamQuestTable
    real_roster: type[team_quests.TeamRoster] = TeamRepository
    assert [store, roster, profiles, real_store, real_roster]


def test_the_flag_fakes_fit_their_ports() -> None:
    from gamification.services import flags
    from tests.fakes.flags import FakeFlagList

    profiles = FakeProfiles()
    pages: flags.FlagPages = FakeFlagList(profiles)
    flagged: flags.FlaggedProfiles = profiles
    assert [pages, flagged]
