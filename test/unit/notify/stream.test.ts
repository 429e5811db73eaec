import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { EVENT_SOURCE_FILTER, parseStreamBatch } from '../../../lib/notify/stream.ts';
import { eventItem } from '../../../lib/store/items.ts';
import { event } from './fixtures.ts';

const record = (eventName: string, image: Record<string, unknown> | undefined, seq: string) => ({
  eventID: `id-${seq}`,
  eventName,
  eventSource: 'aws:dynamodb',
  dynamodb: {
    SequenceNumber: seq,
    ...(image ? { NewImage: marshall(image, { removeUndefinedValues: true }) } : {}),
    StreamViewType: 'NEW_AND_OLD_IMAGES',
  },
});

describe('stream batches', () => {
  it('keeps INSERTs of event and ack items, as the event source filter does', () => {
    const e = event();
    const batch = parseStreamBatch({
      Records: [
        record('INSERT', eventItem(e, 400), '100'),
        record('MODIFY', eventItem(e, 400), '101'),
        record('INSERT', { PK: 'TARGET#x', SK: 'CONN#y', entity: 'connection' }, '102'),
        record('REMOVE', undefined, '103'),
        record('INSERT', { PK: `EVENT#${e.id}`, SK: 'ACK', entity: 'ack', eventId: e.id }, '104'),
      ],
    });
    // Fields added later read as null from items written without them.
    const unset = { acknowledgedBy: null, acknowledgedAt: null, ackNote: null, inhibitedBy: null };
    expect(batch.events).toEqual([{ sequenceNumber: '100', event: { ...e, ...unset } }]);
    expect(batch.acks).toEqual([{ sequenceNumber: '104', eventId: e.id }]);
    expect(batch.invalid).toEqual([]);
  });
  it('reports event items that are not valid events, without their content', () => {
    const batch = parseStreamBatch({
      Records: [record('INSERT', { PK: 'EVENT#x', SK: 'EVENT', entity: 'event', id: 'x' }, '7')],
    });
    expect(batch.invalid).toEqual([{ sequenceNumber: '7', reason: 'not a valid change event' }]);
  });
  it('rejects a payload that is not a stream batch', () => {
    expect(() => parseStreamBatch({ records: [] })).toThrow();
  });
  it('exports the filter for the event source mapping', () => {
    expect(EVENT_SOURCE_FILTER).toEqual({
      eventName: ['INSERT'],
      dynamodb: { NewImage: { entity: { S: ['event', 'ack'] } } },
    });
  });
});
