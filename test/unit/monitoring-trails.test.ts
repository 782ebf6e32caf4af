import { describe, expect, it } from 'vitest';
import type { TrailState } from '../../steps/monitoring/_shared/trails.js';
import { bestMultiRegionTrail, isGoodTrail, managementEvents } from '../../steps/monitoring/_shared/trails.js';

const mgmt = (readOnly?: { Equals?: string[]; NotEquals?: string[] }) => ({
  eventSelectors: [],
  advancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }, ...(readOnly ? [{ Field: 'readOnly', ...readOnly }] : [])] }],
});

describe('which management events a trail logs', () => {
  it('reads basic selectors: absent fields default to all management events; IncludeManagementEvents false logs none', () => {
    expect(managementEvents({ eventSelectors: [{}], advancedEventSelectors: [] })).toBe('all');
    expect(managementEvents({ eventSelectors: [{ ReadWriteType: 'WriteOnly' }], advancedEventSelectors: [] })).toBe('write-only');
    expect(managementEvents({ eventSelectors: [{ ReadWriteType: 'ReadOnly' }, { ReadWriteType: 'WriteOnly' }], advancedEventSelectors: [] })).toBe('all');
    expect(managementEvents({ eventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: false }], advancedEventSelectors: [] })).toBe('none');
    expect(managementEvents({ eventSelectors: [], advancedEventSelectors: [] })).toBe('none');
  });

  it('reads advanced selectors, with readOnly as Equals or NotEquals', () => {
    expect(managementEvents(mgmt())).toBe('all');
    expect(managementEvents(mgmt({ Equals: ['true'] }))).toBe('read-only');
    expect(managementEvents(mgmt({ NotEquals: ['true'] }))).toBe('write-only');
    expect(managementEvents(mgmt({ NotEquals: ['false'] }))).toBe('read-only');
    expect(managementEvents({ eventSelectors: [], advancedEventSelectors: [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Data'] }] }] })).toBe('none');
  });
});

describe('the trail to build on', () => {
  const trail = (name: string, over: Partial<TrailState>): TrailState => ({
    name,
    arn: `arn:aws:cloudtrail:us-east-1:123456789012:trail/${name}`,
    homeRegion: 'us-east-1',
    multiRegion: true,
    organization: false,
    logging: false,
    validation: false,
    eventSelectors: [{}],
    advancedEventSelectors: [],
    ...over,
  });

  it('prefers a passing trail, then one that logs; single-region trails never count', () => {
    const good = trail('z-good', { logging: true, validation: true });
    expect(isGoodTrail(good)).toBe(true);
    expect(bestMultiRegionTrail([trail('a-off', {}), good])?.name).toBe('z-good');
    expect(bestMultiRegionTrail([trail('a-off', { validation: true }), trail('b-logs', { logging: true })])?.name).toBe('b-logs');
    expect(bestMultiRegionTrail([trail('single', { multiRegion: false, logging: true, validation: true })])).toBeUndefined();
  });
});
