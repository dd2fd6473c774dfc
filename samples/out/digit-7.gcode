; strokebot 0.1.0, profile grbl-servo (bundled): GRBL 1.1 plotter, pen servo on
; the spindle PWM: M3 S<down> / M3 S<up>
; page 20 x 20 mm, Y up: flipped against the page height, pen width 0.966 mm
; 1 strokes, 7 points (simplified from 11, tolerance 0.483 mm)
; pen-down length 17.2 mm, pen-up travel 0.0 mm
; estimated plot time 1.8 s, the whole program from X0 Y0 Z0 (feed 2000 mm/min,
; G0 at the max rates); it assumes GRBL $110=4000 $111=4000 mm/min, $120=500
; $121=500 mm/s^2 (see yours with $$): a machine set slower plots slower
; Needs $32=0 (laser mode off) so that M3 S<value> moves the servo.
G21
G90
G94
M3 S30
G4 P0.15
G0 X5.751 Y13.351
M3 S90
G4 P0.15
G1 X8.935 Y12.835 F2000
G1 X12.316 Y12.815
G1 X13.111 Y12.028
G1 X11.155 Y7.377
G1 X9.917 Y5.818
G1 X9.138 Y3.516
M3 S30
G4 P0.15
G0 X0 Y0
M5
M2
