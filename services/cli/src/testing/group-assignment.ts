import { AssignerProtocol, type Admin } from 'kafkajs';

/** A consumer group as its coordinator describes it, with each member's partitions of one topic. */
export interface GroupAssignment {
  /** `Stable`, `PreparingRebalance`, `CompletingRebalance`, `Empty` or `Dead`. */
  state: string;
  members: { memberId: string; partitions: number[] }[];
}

/**
 * Asked of the group coordinator rather than of the members, so a test sees who owns what
 * without trusting the code under test. The assignment is the standard consumer protocol's,
 * which librdkafka and kafkajs members both write.
 */
export async function describeAssignment(admin: Admin, groupId: string, topic: string): Promise<GroupAssignment> {
  const [group] = (await admin.describeGroups([groupId])).groups;
  return {
    state: group?.state ?? 'Dead',
    members: (group?.members ?? []).map((member) => ({
      memberId: member.memberId,
      partitions: [
        ...(AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment[topic] ?? []),
      ].sort((a, b) => a - b),
    })),
  };
}
