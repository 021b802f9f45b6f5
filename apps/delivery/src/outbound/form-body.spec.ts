import { describe, expect, it } from '@jest/globals';
import { formEventDateTime, formWebhookBody, type FormLead } from './form-body';

const at = new Date('2025-03-07T08:05:09.123Z');

const lead: FormLead = {
  id: 'e1',
  tableId: 't1',
  leadStateId: 's1',
  createdAt: '2025-03-01T10:00:00.000Z',
  data: {},
};

describe('form webhook body', () => {
  it('formats eventdatetime in UTC without milliseconds', () => {
    expect(formEventDateTime(at)).toBe('2025-03-07 08:05:09');
    expect(formEventDateTime(new Date('1999-12-31T23:59:59.999+02:00'))).toBe('1999-12-31 21:59:59');
  });

  it('sends eventtype and eventdatetime first, then the lead fields, then its data', () => {
    const body = formWebhookBody(
      { ...lead, data: { firstname: 'Zoë', email: 'zoe+1@example.com', note: 'a&b=c d' } },
      null,
      'deliveryall',
      at,
    );
    expect(body).toBe(
      'eventtype=deliveryall&eventdatetime=2025-03-07+08%3A05%3A09&id=e1&tableId=t1&leadStateId=s1' +
        '&createdAt=2025-03-01T10%3A00%3A00.000Z&firstname=Zo%C3%AB&email=zoe%2B1%40example.com&note=a%26b%3Dc+d',
    );
  });

  it('repeats array keys, JSON-encodes objects and writes null as empty and scalars as text', () => {
    const body = formWebhookBody(
      {
        ...lead,
        leadStateId: null,
        data: {
          tags: ['a', 'b'],
          none: [],
          address: { city: 'Köln', zip: 50667 },
          mixed: [1, null, { x: true }, ['y']],
          empty: null,
          skipped: undefined,
          count: 3,
          price: 9.5,
          vip: true,
          optin: false,
        },
      },
      null,
      'status',
      at,
    );
    expect(body).toBe(
      'eventtype=status&eventdatetime=2025-03-07+08%3A05%3A09&id=e1&tableId=t1&leadStateId=' +
        '&createdAt=2025-03-01T10%3A00%3A00.000Z&tags=a&tags=b' +
        '&address=%7B%22city%22%3A%22K%C3%B6ln%22%2C%22zip%22%3A50667%7D' +
        '&mixed=1&mixed=&mixed=%7B%22x%22%3Atrue%7D&mixed=%5B%22y%22%5D' +
        '&empty=&count=3&price=9.5&vip=true&optin=false',
    );
  });

  it('sends the extra fields after the data, never repeating a key already sent', () => {
    const body = formWebhookBody(
      { ...lead, data: { id: 'shadow', eventtype: 'x', city: 'Berlin' } },
      { emailId: 'm1', city: 'Paris' },
      'emailopened',
      at,
    );
    expect(body).toBe(
      'eventtype=emailopened&eventdatetime=2025-03-07+08%3A05%3A09&id=e1&tableId=t1&leadStateId=s1' +
        '&createdAt=2025-03-01T10%3A00%3A00.000Z&city=Berlin&emailId=m1',
    );
  });

  it('sends the extra fields alone when there is no lead', () => {
    expect(
      formWebhookBody(
        null,
        { appointmentId: 'a1', guests: ['x@example.com', 'y@example.com'], at: null },
        'user',
        at,
      ),
    ).toBe(
      'eventtype=user&eventdatetime=2025-03-07+08%3A05%3A09&appointmentId=a1' +
        '&guests=x%40example.com&guests=y%40example.com&at=',
    );
    expect(formWebhookBody(null, null, 'user', at)).toBe(
      'eventtype=user&eventdatetime=2025-03-07+08%3A05%3A09',
    );
  });

  it('decodes back to the same fields', () => {
    const form = new URLSearchParams(
      formWebhookBody({ ...lead, data: { tags: ['a', 'b'], 'weird key': 'ä ö' } }, null, 'deliveryall', at),
    );
    expect(form.getAll('tags')).toEqual(['a', 'b']);
    expect(form.get('weird key')).toBe('ä ö');
    expect([...form.keys()].slice(0, 6)).toEqual([
      'eventtype',
      'eventdatetime',
      'id',
      'tableId',
      'leadStateId',
      'createdAt',
    ]);
  });
});
