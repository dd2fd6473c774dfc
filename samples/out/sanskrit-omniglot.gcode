; strokebot 0.1.0, profile grbl-servo (bundled): GRBL 1.1 plotter, pen servo on
; the spindle PWM: M3 S<down> / M3 S<up>
; page 30 x 30 mm, Y up: flipped against the page height, pen width 1.238 mm
; 3 strokes, 12 points (simplified from 31, tolerance 0.619 mm)
; pen-down length 50.7 mm, pen-up travel 28.7 mm
; estimated plot time 4.6 s, the whole program from X0 Y0 Z0 (feed 2000 mm/min,
; G0 at the max rates); it assumes GRBL $110=4000 $111=4000 mm/min, $120=500
; $121=500 mm/s^2 (see yours with $$): a machine set slower plots slower
; Needs $32=0 (laser mode off) so that M3 S<value> moves the servo.
G21
G90
G94
M3 S30
G4 P0.15
G0 X14.010 Y22.181
M3 S90
G4 P0.15
G1 X15.008 Y14.725 F2000
G1 X14.010 Y12.524
G1 X12.524 Y12.019
G1 X10.399 Y14.029
G1 X10.018 Y16.238
G1 X11.038 Y17.653
G1 X12.503 Y17.876
M3 S30
G4 P0.15
G0 X21.190 Y22.181
M3 S90
G4 P0.15
G1 X22.429 Y8.871 F2000
M3 S30
G4 P0.15
G0 X9.119 Y22.429
M3 S90
G4 P0.15
G1 X26.576 Y22.429 F2000
M3 S30
G4 P0.15
G0 X0 Y0
M5
M2
